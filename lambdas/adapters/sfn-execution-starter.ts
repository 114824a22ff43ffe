import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { MeetingEndedInput } from '#core/correlate/contract.ts';
import type { ExecutionStarter } from '#core/ports.ts';
import { StorageError } from '#core/errors.ts';
import { awsErrorName, isRetryableAwsError } from './aws-errors.ts';

/**
 * Starts executions of one Standard state machine. A name already used within 90 days is `duplicate`
 * (ExecutionAlreadyExists), so a repeated start starts nothing. While the first execution still runs, StartExecution
 * with the same name and input succeeds without starting another (AWS makes it idempotent), which reads as `started`.
 */
export class StepFunctionsExecutionStarter implements ExecutionStarter {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client: SFNClient = new SFNClient({}),
  ) {}

  async start(name: string, input: MeetingEndedInput): Promise<'started' | 'duplicate'> {
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      return 'started';
    } catch (err) {
      if (err instanceof Error && err.name === 'ExecutionAlreadyExists') return 'duplicate';
      throw new StorageError(`start execution ${name} failed: ${awsErrorName(err)}`, isRetryableAwsError(err), { cause: err });
    }
  }
}
