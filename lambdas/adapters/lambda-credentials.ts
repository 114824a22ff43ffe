/**
 * What every zoomlake function bundle takes in place of the SDK's default credential chain
 * (`@aws-sdk/credential-provider-node`), through an esbuild alias (LAMBDA_BUNDLING in lib/constructs/zoomlake-function.ts):
 * that chain's first link, the SDK's own environment provider. Lambda puts the execution role's credentials in
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, so in a function the chain always stops there; its other
 * links (shared config files, SSO, web identity, container and instance metadata) never answer, and they bring the STS,
 * SSO and sign-in clients into every bundle. Code run outside a bundle (tests, scripts) keeps the whole chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
