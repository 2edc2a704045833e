/**
 * The stack's API keys and the usage plans that admit them to the REST API's
 * stages, with each plan's throttle of a key.
 */
import { LocalError } from '../shared/local-error';
import { apiKeyValueProblem } from './api-key-value';
import type { ApiKeyModel, StageModel, UsagePlanModel } from './model';
import { firstBlock, isEmpty, ResourceReader } from './read-context';
import type { Declared } from './resolved-document';

export class ApiKeyReader extends ResourceReader {
  /**
   * The stack's API keys and the usage plans (through usage plan keys) that admit
   * them to stages of the API `apiId`. Plans of other APIs are left out; a plan
   * naming a stage the API lacks, or a key in two plans for one stage, is refused,
   * as AWS refuses them.
   */
  read(apiId: string, stages: readonly StageModel[]): ApiKeyModel[] {
    const plans = new Map<string, UsagePlanModel>();
    for (const plan of this.document.all('aws_api_gateway_usage_plan')) {
      this.attempt(() => {
        const ours = ((this.optional(plan, 'api_stages') ?? []) as Record<string, unknown>[]).filter((entry) => entry.api_id === apiId);
        if (ours.length === 0) return;
        for (const entry of ours) {
          if (!stages.some((stage) => stage.name === entry.stage)) {
            throw new LocalError(`${plan.address}.api_stages names the stage ${JSON.stringify(entry.stage)}, which the REST API does not have; AWS refuses the plan too.`);
          }
          if (!isEmpty(entry.throttle)) {
            throw new LocalError(
              `${plan.address}.api_stages sets a per-method throttle for stage ${String(entry.stage)}; the local server applies the plan's throttle_settings only. Move the limits to throttle_settings, or remove the throttle block.`,
            );
          }
        }
        const quota = firstBlock(this.optional(plan, 'quota_settings'));
        if (quota) {
          // AWS documents neither when a DAY, WEEK or MONTH period starts nor what offset means
          // consistently, and keeps counts across restarts: a local count would be a guess.
          throw new LocalError(
            `${plan.address}.quota_settings is set (${String(quota.limit)} requests per ${String(quota.period)}); the local server does not count quotas. ` +
              'Remove quota_settings to serve the stack locally (throttle_settings still applies).',
          );
        }
        const throttle = firstBlock(this.optional(plan, 'throttle_settings'));
        const rate = Number(throttle?.rate_limit ?? -1);
        const burst = Number(throttle?.burst_limit ?? -1);
        plans.set(this.document.stringAttribute(plan, 'id'), {
          address: plan.address,
          name: this.str(plan, 'name'),
          stages: ours.map((entry) => String(entry.stage)),
          throttle: rate >= 0 && burst >= 0 ? { rateLimit: rate, burstLimit: burst } : undefined,
        });
      });
    }
    const planKeys = this.document.all('aws_api_gateway_usage_plan_key');
    return this.document.all('aws_api_gateway_api_key').flatMap((key) =>
      this.attempt((): ApiKeyModel => {
        const keyId = this.document.stringAttribute(key, 'id');
        const keyPlans = planKeys
          .filter((planKey) => this.document.attribute(planKey, 'key_id') === keyId)
          .flatMap((planKey) => plans.get(this.document.stringAttribute(planKey, 'usage_plan_id')) ?? []);
        for (const stage of stages) {
          const covering = keyPlans.filter((plan) => plan.stages.includes(stage.name));
          if (covering.length > 1) {
            throw new LocalError(`${key.address} is in ${covering.map((plan) => plan.address).join(' and ')}, which both cover stage ${stage.name}; AWS allows a key one usage plan per stage.`);
          }
        }
        return { address: key.address, name: this.str(key, 'name'), enabled: this.optional(key, 'enabled') !== false, value: this.keyValue(key), plans: keyPlans };
      }),
    );
  }

  /** The key's value when the stack writes it out; one known only after apply is left to the server to choose. */
  private keyValue(key: Declared): string | undefined {
    const raw = key.config.value;
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string' || raw.includes('${')) {
      this.notices.push(`${key.address}.value is ${JSON.stringify(raw)}, known only once Terraform applies it; locally the key gets the value listed under API keys above.`);
      return undefined;
    }
    const problem = apiKeyValueProblem(raw);
    if (problem) {
      throw new LocalError(
        `${key.address}.value ${JSON.stringify(raw)} cannot be an API key: ${problem}; API Gateway takes 20 to 128 printable ASCII characters. Change the value, or remove it for a generated one.`,
      );
    }
    return raw;
  }
}
