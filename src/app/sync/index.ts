export * from './backoff'
export * from './engine'
export * from './runner'
