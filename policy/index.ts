// The heroku-pg-secure policy pack: CrossGuard policies about Heroku Postgres security, run by
// `pulumi preview --policy-pack <this package>/policy-pack` (see Pulumi's CrossGuard docs). Loading this module
// starts the pack's gRPC server, so it is an entry point only; the rules are in rules.ts and stack-rules.ts.
import {
  PolicyPack,
  type PolicyResource,
  type ReportViolation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { kindOfType } from "../sdk/type-tokens";
import {
  POLICIES,
  type AllowlistConfig,
  type CustomerKeyConfig,
  type ExternalAccessConfig,
  type KeyRotationConfig,
  type PolicyInfo,
  type ProtectionConfig,
  type ReadWriteConfig,
  type RotationAgeConfig,
} from "./config";
import {
  checkAllowlistWidth,
  checkCustomerKey,
  checkKeyRotation,
  checkProtection,
  checkReadWriteApps,
  checkRotationAge,
  type ResourceView,
} from "./rules";
import { stackOfUrn } from "../review/preview-json";
import { settle } from "./settle";
import { checkExternalAccess, type StackResourceView } from "./stack-rules";

function view(r: ResourceValidationArgs | PolicyResource): ResourceView | undefined {
  const kind = kindOfType(r.type);
  if (kind === undefined) return undefined;
  const props = settle(r.props) as Record<string, unknown>;
  return { kind, name: r.name, stack: stackOfUrn(r.urn), props, protect: r.opts.protect };
}

function resourcePolicy<C extends object>(
  info: PolicyInfo,
  check: (r: ResourceView, cfg: C) => string[],
): ResourceValidationPolicy {
  return {
    ...info,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      const r = view(args);
      if (r === undefined) return;
      for (const message of check(r, args.getConfig<C>())) report(message);
    },
  };
}

const externalAccess: StackValidationPolicy = {
  ...POLICIES.externalAccess,
  validateStack: (args, report) => {
    const views: StackResourceView[] = [];
    for (const r of args.resources) {
      const v = view(r);
      if (v === undefined) continue;
      const databaseDependsOn = (r.propertyDependencies.database ?? []).map((d) => d.urn);
      views.push({ ...v, urn: r.urn, databaseDependsOn });
    }
    for (const [urn, messages] of checkExternalAccess(views, args.getConfig<ExternalAccessConfig>())) {
      for (const message of messages) report(message, urn);
    }
  },
};

new PolicyPack("heroku-pg-secure", {
  description: "Heroku Postgres security: allowlists, customer keys, mTLS, credentials, protection and rotation.",
  policies: [
    resourcePolicy<AllowlistConfig>(POLICIES.allowlist, checkAllowlistWidth),
    resourcePolicy<CustomerKeyConfig>(POLICIES.customerKey, checkCustomerKey),
    resourcePolicy<KeyRotationConfig>(POLICIES.keyRotation, checkKeyRotation),
    externalAccess,
    resourcePolicy<ReadWriteConfig>(POLICIES.readWrite, checkReadWriteApps),
    resourcePolicy<ProtectionConfig>(POLICIES.protection, checkProtection),
    resourcePolicy<RotationAgeConfig>(POLICIES.rotationAge, (r, cfg) => checkRotationAge(r, cfg, new Date())),
  ],
});
