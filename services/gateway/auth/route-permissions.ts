// The gateway's permission table: per service, derived from its checked-in contract (openapi/<service>.json), embedded at build time.
import inferenceContract from "../../../openapi/inference.json" with { type: "json" };
import notificationsContract from "../../../openapi/notifications.json" with { type: "json" };
import ordersContract from "../../../openapi/orders.json" with { type: "json" };
import { SERVICES, type ServiceName } from "../proxy/routes.ts";
import { type ContractDocument, collectContractPermissions, underPrefix } from "./contract-permissions.ts";
import type { PermissionRule } from "./permissions.ts";

/**
 * The committed contracts (static JSON imports: Bun embeds them in the compiled executable, nothing is read from disk).
 * The scopes each operation needs are stated once, in the service's route definition; its contract carries them here.
 */
export const CHECKED_IN_CONTRACTS: Readonly<Record<ServiceName, ContractDocument>> = {
  orders: ordersContract as ContractDocument,
  notifications: notificationsContract as ContractDocument,
  inference: inferenceContract as ContractDocument,
};

export type PermissionTable = Record<ServiceName, readonly PermissionRule[]>;

/**
 * Per service, the rules its contract implies. Throws one error listing every problem: an operation without a scope,
 * a route guarded twice, a service without a contract, overlapping prefixes.
 */
export function routePermissions(contracts: Readonly<Record<string, ContractDocument | undefined>> = CHECKED_IN_CONTRACTS): PermissionTable {
  const problems: string[] = [];
  const table = {} as PermissionTable;
  for (const svc of SERVICES) {
    const contract = contracts[svc.name];
    if (contract === undefined) problems.push(`${svc.name} has no contract, so nothing of it is reachable`);
    const rules = contract !== undefined ? collectContractPermissions(svc, contract, problems) : [];
    for (const rule of rules) {
      const where = `${svc.name}: ${rule.methods.join(",")} ${rule.path}`;
      if (!underPrefix(rule.path, svc.prefixes)) problems.push(`${where} is under none of its prefixes (${svc.prefixes.join(", ")})`);
      if (rule.anyOf.length === 0 || rule.anyOf.some((s) => !s.startsWith(`${svc.name}:`)))
        problems.push(`${where} must name one or more of the ${svc.name} service's scopes (it names ${rule.anyOf.join(", ") || "none"})`);
    }
    for (const other of SERVICES) {
      if (other.name === svc.name) continue;
      for (const p of svc.prefixes) if (underPrefix(p, other.prefixes)) problems.push(`${svc.name}'s prefix ${p} lies under ${other.name}'s`);
    }
    table[svc.name] = rules;
  }
  if (problems.length > 0) throw new Error(`The gateway's permission table cannot be built:\n- ${problems.join("\n- ")}`);
  return table;
}
