import { fileURLToPath } from 'node:url'

/** The repository root, so helpers spawn tools and read sources wherever vitest was started. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
