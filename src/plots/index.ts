// Public API of the plots stage; re-exported by src/index.ts.
export {};
