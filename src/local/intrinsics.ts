/** Moved to src/local/template/intrinsics.ts; re-exported here for the modules that import it from here. */
export { LOCAL_ACCOUNT_ID, resolveIntrinsics, isUnresolved, containsUnresolved, type ResolveScope } from './template/intrinsics';
