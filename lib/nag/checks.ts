import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Runs the cdk-nag AWS Solutions pack over the whole app at synth. cdk-nag 3 is a policy-validation plugin:
 * any finding not acknowledged on its resource (error or warning) fails synth.
 */
export function applyNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
