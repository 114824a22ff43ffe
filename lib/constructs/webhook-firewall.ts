import { Duration, Names, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Properties of {@link WebhookFirewall}. */
export interface WebhookFirewallProps {
  /** The REST API stage the web ACL is associated with. */
  readonly stage: apigw.Stage;
  /** Requests one source IP may send in a minute; above it AWS WAF answers that IP 429 until its rate falls. */
  readonly perIpRequestsPerMinute: number;
  /**
   * Source ranges (CIDR, IPv4 or IPv6) allowed to reach the stage; every other source is answered 403.
   * @default - every source may reach it, each under the per-IP limit
   */
  readonly allowedSourceCidrs?: readonly string[];
}

/** The rule names of the web ACL, which are also the `Rule` dimension of their AWS/WAFV2 metrics (suffixed). */
const RULE = { outsideAllowList: 'OutsideAllowedSources', perIp: 'RatePerSourceIp' } as const;

/**
 * A regional AWS WAF web ACL in front of the webhook's REST API stage: a rate-based rule per source IP (answered 429,
 * so it reads as a throttle, like the stage's own), and when an allow-list is given a rule answering 403 to every
 * source outside it. Everything else is allowed; the function still verifies each request's HMAC signature.
 */
export class WebhookFirewall extends Construct {
  /** The web ACL. */
  readonly webAcl: wafv2.CfnWebACL;
  /** Its association with the stage. */
  readonly association: wafv2.CfnWebACLAssociation;
  /** The allow-list IP sets (one per address family present), empty without an allow-list. */
  readonly ipSets: readonly wafv2.CfnIPSet[];
  private readonly metricPrefix: string;

  constructor(scope: Construct, id: string, props: WebhookFirewallProps) {
    super(scope, id);
    // WAF metric dimensions are these names; unique per deployment so two deployments in one account stay apart.
    this.metricPrefix = Names.uniqueResourceName(this, { maxLength: 96, separator: '-' });
    const cidrs = props.allowedSourceCidrs ?? [];
    const families = [
      ['IPV4', cidrs.filter((c) => !c.includes(':'))],
      ['IPV6', cidrs.filter((c) => c.includes(':'))],
    ] as const;
    this.ipSets = families
      .filter(([, list]) => list.length > 0)
      .map(
        ([version, list]) =>
          new wafv2.CfnIPSet(this, `Allowed${version}`, {
            scope: 'REGIONAL',
            ipAddressVersion: version,
            addresses: [...list],
            description: `zoomlake: ${version} ranges allowed to reach the Zoom webhook, webhook.allowedSourceCidrs`,
          }),
      );

    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    const [first, ...more] = this.ipSets.map((set): wafv2.CfnWebACL.StatementProperty => ({ ipSetReferenceStatement: { arn: set.attrArn } }));
    if (first) {
      rules.push({
        name: RULE.outsideAllowList,
        priority: 0,
        statement: { notStatement: { statement: more.length > 0 ? { orStatement: { statements: [first, ...more] } } : first } },
        action: { block: {} },
        visibilityConfig: this.visibility(RULE.outsideAllowList),
      });
    }
    rules.push({
      name: RULE.perIp,
      priority: 1,
      // One-minute window: the shortest WAF offers, so a flooding source is cut within about a minute.
      statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.perIpRequestsPerMinute, evaluationWindowSec: 60 } },
      action: { block: { customResponse: { responseCode: 429 } } },
      visibilityConfig: this.visibility(RULE.perIp),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'zoomlake: per-source-IP rate limit and optional source allow-list in front of the Zoom webhook',
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: this.visibility(),
    });
    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  /** Requests AWS WAF answered 429 because their source IP went over the per-IP limit (Sum per 5 minutes by default). */
  metricRateLimited(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.blocked(RULE.perIp, props);
  }

  /** Requests AWS WAF answered 403 because their source was outside the allow-list (none without one). */
  metricOutsideAllowList(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.blocked(RULE.outsideAllowList, props);
  }

  private blocked(rule: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.metricPrefix, Region: Stack.of(this).region, Rule: `${this.metricPrefix}-${rule}` },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private visibility(rule?: string): wafv2.CfnWebACL.VisibilityConfigProperty {
    return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: rule ? `${this.metricPrefix}-${rule}` : this.metricPrefix };
  }
}
