/** The stack's id: the directory under `cdktf.out/stacks/` and the name cdktf commands take. */
export const STACK_ID = 'lambda-apigateway';
