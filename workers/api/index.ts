export * from './types';
export * from './engine';
export * from './jobs';
export * from './errors';
export * from './limits';
export * from './mask';
export * from './bytes';
export * from './convert';
