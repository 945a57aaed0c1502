export * from './database'
export * from './meta'
export * from './session'
export * from './studyCheckins'
