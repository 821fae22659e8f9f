import { ApiError } from "../errors";
import type { Router } from "../http/router";
import type { Ctx, Reply } from "../http/types";
import type { Addon } from "../store/types";
import { parsePlan } from "../domain/plans";
import { dataAddon } from "./data-databases";

/** Enhanced Certificates (Dev Center's Enhanced Certificates article (docs/heroku-api.md); docs/heroku-api.md 3.1). The URL switches to verify-full once the status is Enabled. */
function usable(addon: Addon): void {
  if (addon.state !== "provisioned") {
    throw new ApiError("unprocessable_entity", `${addon.name} is not available yet (state ${addon.state}).`);
  }
  if (parsePlan(addon.plan).tier === "essential") {
    throw new ApiError(
      "unprocessable_entity",
      "Enhanced Certificates are only available on Standard, Premium, Private and Shield plans.",
    );
  }
}

function toggle(enable: boolean) {
  return ({ core, user, params }: Ctx): Reply => {
    const addon = dataAddon(core, user, params.addon!);
    usable(addon);
    if (enable && addon.mtls) {
      throw new ApiError(
        "unprocessable_entity",
        `Enhanced Certificates cannot be enabled on ${addon.name} while mTLS is ${addon.mtls.status}: the two cannot be used together. Disable mTLS first.`,
      );
    }
    const settled = enable ? "Enabled" : "Disabled";
    const moving = enable ? "Provisioning" : "Deprovisioning";
    if (addon.enhancedCertificates !== settled && addon.enhancedCertificates !== moving) {
      addon.enhancedCertificates = moving;
      core.store.machines.begin(addon, "enhanced-certificates", "enhancedCertificates", settled);
      addon.updatedAt = core.store.nowIso();
      core.store.save();
    }
    return { status: 200, text: "" };
  };
}

export function enhancedCertificateRoutes(r: Router): void {
  r.add("PUT", "/client/v11/enhanced_certificates/:addon/enable", "data", toggle(true));
  r.add("PUT", "/client/v11/enhanced_certificates/:addon/disable", "data", toggle(false));
  r.add("GET", "/client/v11/enhanced_certificates/:addon/status", "data", ({ core, user, params }) => ({
    status: 200,
    json: { status: dataAddon(core, user, params.addon!).enhancedCertificates },
  }));
}
