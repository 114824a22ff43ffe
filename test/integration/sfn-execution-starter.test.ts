import type { Server } from 'node:http';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsExecutionStarter } from '#adapters/sfn-execution-starter.ts';
import type { MeetingEndedInput } from '#core/correlate/contract.ts';
import { executionName } from '#core/correlate/execution-name.ts';
import { StorageError } from '#core/errors.ts';
import { awsJsonError, createAwsJsonServer, type JsonReply } from '../fakes/aws-json-server.ts';
import { closeServer, deadEndpoint, listenOnLoopback, loopbackClientConfig } from '../fakes/aws-test-clients.ts';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:zoomlake-correlation';
const INPUT: MeetingEndedInput = {
  meeting_uuid: '/ab//c+d==',
  meeting_id: '88100000001',
  host_id: 'host-1',
  topic: 'Board: Project NIGHTJAR',
  start_time: '2026-11-20T10:00:00.000Z',
  end_time: '2026-11-20T11:00:00.000Z',
};
type Reply = JsonReply;
type Execution = { arn: string; input: string; running: boolean };

/**
 * A loopback Step Functions speaking its JSON 1.0 protocol for StartExecution, with the service's name rules: a name
 * still running with the same input answers the same execution (idempotent), any other reuse ExecutionAlreadyExists.
 */
class StepFunctionsFake {
  readonly requests: { target: string; body: Record<string, unknown> }[] = [];
  readonly executions = new Map<string, Execution>();
  /** When set, every call answers this instead. */
  failWith: Reply | undefined;
  /** How ExecutionAlreadyExists is named in the error body. */
  alreadyExistsType = 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists';
  private readonly server: Server = createAwsJsonServer(
    (target, body) => this.answer(target, body as Record<string, unknown>),
    'application/x-amz-json-1.0',
  );

  start(): Promise<string> {
    return listenOnLoopback(this.server);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  reset(): void {
    this.requests.length = 0;
    this.executions.clear();
    this.failWith = undefined;
    this.alreadyExistsType = 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists';
  }

  /** Ends a running execution, as a finished workflow would. */
  finish(name: string): void {
    const execution = this.executions.get(name);
    if (execution) execution.running = false;
  }

  private answer(target: string, body: Record<string, unknown>): Reply {
    this.requests.push({ target, body });
    if (this.failWith) return this.failWith;
    if (target !== 'AWSStepFunctions.StartExecution') return awsJsonError(400, 'UnknownOperationException', target);
    const name = String(body.name);
    const input = String(body.input);
    const existing = this.executions.get(name);
    if (existing && existing.running && existing.input === input)
      return { status: 200, body: { executionArn: existing.arn, startDate: 1_795_000_000.5 } };
    if (existing) return awsJsonError(400, this.alreadyExistsType, `Execution Already Exists: '${existing.arn}'`);
    const arn = `${String(body.stateMachineArn).replace(':stateMachine:', ':execution:')}:${name}`;
    this.executions.set(name, { arn, input, running: true });
    return { status: 200, body: { executionArn: arn, startDate: 1_795_000_000.5 } };
  }
}

const fake = new StepFunctionsFake();
let client: SFNClient;
let starter: StepFunctionsExecutionStarter;
const NAME = executionName(INPUT.meeting_uuid);

beforeAll(async () => {
  // One SDK attempt: a retry must come from Lambda or the dead-letter queue, where it can be seen.
  client = new SFNClient(loopbackClientConfig(await fake.start(), 1));
  starter = new StepFunctionsExecutionStarter(STATE_MACHINE, client);
});

afterAll(async () => {
  client?.destroy();
  await fake.close();
});

beforeEach(() => fake.reset());

describe('StepFunctionsExecutionStarter', () => {
  it('starts a named execution of its state machine over the JSON 1.0 protocol, with the meeting as JSON input', async () => {
    expect(await starter.start(NAME, INPUT)).toBe('started');
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.target).toBe('AWSStepFunctions.StartExecution');
    expect(request?.body).toEqual({ stateMachineArn: STATE_MACHINE, name: NAME, input: JSON.stringify(INPUT) });
    expect(JSON.parse(String(request?.body.input))).toEqual(INPUT);
  });

  it.each([
    ["the service's qualified error type", 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists'],
    ['a bare error type', 'ExecutionAlreadyExists'],
  ])('answers duplicate when the name was used by a finished execution (%s), starting nothing', async (_case, type) => {
    fake.alreadyExistsType = type;
    expect(await starter.start(NAME, INPUT)).toBe('started');
    fake.finish(NAME);
    expect(await starter.start(NAME, INPUT)).toBe('duplicate');
    expect(fake.executions.size).toBe(1);
    expect(fake.requests).toHaveLength(2);
  });

  it('answers duplicate when the name is running with another input', async () => {
    expect(await starter.start(NAME, INPUT)).toBe('started');
    expect(await starter.start(NAME, { ...INPUT, end_time: '2026-11-20T11:00:01.000Z' })).toBe('duplicate');
    expect(fake.executions.size).toBe(1);
  });

  it('reads the idempotent answer for the same name and input while it runs as started, with one execution', async () => {
    expect(await starter.start(NAME, INPUT)).toBe('started');
    expect(await starter.start(NAME, INPUT)).toBe('started');
    expect(fake.executions.size).toBe(1);
  });

  it('starts separate executions for separate names', async () => {
    await starter.start(NAME, INPUT);
    await starter.start(executionName('another=='), { ...INPUT, meeting_uuid: 'another==' });
    expect(fake.executions.size).toBe(2);
  });

  it.each([
    ['throttling', 400, 'ThrottlingException', true],
    ['an internal failure', 500, 'InternalFailure', true],
    ['a service unavailable answer', 503, 'ServiceUnavailable', true],
    ['access denied', 400, 'AccessDeniedException', false],
    ['a missing state machine', 400, 'StateMachineDoesNotExist', false],
    ['a rejected input', 400, 'InvalidExecutionInput', false],
  ])('maps %s to a StorageError with the right retryable flag, quoting no input', async (_case, status, type, retryable) => {
    fake.failWith = { status, body: { __type: type, message: `rejected ${JSON.stringify(INPUT)}` } };
    const error = await starter.start(NAME, INPUT).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ retryable, message: `start execution ${NAME} failed: ${type}` });
    expect(fake.requests).toHaveLength(1);
  });

  it('maps a refused connection to a retryable StorageError', async () => {
    const down = new SFNClient(loopbackClientConfig(await deadEndpoint(), 1));
    try {
      await expect(new StepFunctionsExecutionStarter(STATE_MACHINE, down).start(NAME, INPUT)).rejects.toMatchObject({
        name: 'StorageError',
        retryable: true,
      });
    } finally {
      down.destroy();
    }
  });
});
