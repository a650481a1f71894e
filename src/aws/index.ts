export * from './clients';
export * from './requestCounter';
