// The comparison peer of the pull benchmark (docs/performance.md): the same reads as
// `clerk-drift pull`, written the way a team would with Clerk's official Node SDK
// (`@clerk/backend`, createClerkClient({ secretKey, apiUrl })) and Promise.all. The Frontend and
// Platform API reads, the instance sub-resources and the lists the SDK has no method for use
// fetch().
// Lists: the first page at limit 500, then every remaining page at once from totalCount.
//
//   node backend.mjs BASE_URL   (CLERK_SECRET_KEY, CLERK_PLATFORM_API_KEY, CLERK_APPLICATION_ID set)
// Prints one JSON line: {"requests": N, "entries": {...}}. Installed and run by benches/pull.rs
// (--peer); the SDK itself is installed from the npm registry at run time, never committed.
import { createClerkClient } from "@clerk/backend";

const base = process.argv[2];
const secretKey = process.env.CLERK_SECRET_KEY;
const clerk = createClerkClient({ secretKey, apiUrl: base });
let requests = 0;
const counted = (p) => { requests += 1; return p; };
const LIMIT = 500;

async function json(path, key) {
  requests += 1;
  const headers = { Accept: "application/json" };
  if (key) headers.Authorization = `Bearer ${key}`;
  const res = await fetch(base + path, { headers });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

// A paginated list through an SDK method taking { limit, offset }.
async function all(list) {
  const first = await counted(list({ limit: LIMIT, offset: 0 }));
  const data = [...first.data];
  const offsets = [];
  for (let o = first.data.length; o < first.totalCount; o += LIMIT) offsets.push(o);
  const rest = await Promise.all(offsets.map((offset) => counted(list({ limit: LIMIT, offset }))));
  for (const page of rest) data.push(...page.data);
  return data;
}

// Redirect URLs: the SDK's getRedirectUrlList() takes no paging parameters, so fetch.
async function redirectUrls() {
  const page = (offset) => json(`/v1/redirect_urls?paginated=true&limit=${LIMIT}&offset=${offset}`, secretKey);
  const first = await page(0);
  const offsets = [];
  for (let o = first.data.length; o < first.total_count; o += LIMIT) offsets.push(o);
  const rest = await Promise.all(offsets.map(page));
  return [first, ...rest].flatMap((p) => p.data);
}

// A limit/offset list the SDK has no method for ({data, total_count}), with fetch.
async function pages(path) {
  const page = (offset) => json(`${path}?limit=${LIMIT}&offset=${offset}`, secretKey);
  const first = await page(0);
  const offsets = [];
  for (let o = first.data.length; o < first.total_count; o += LIMIT) offsets.push(o);
  const rest = await Promise.all(offsets.map(page));
  return [first, ...rest].flatMap((p) => p.data);
}

const app = process.env.CLERK_APPLICATION_ID;
const platformKey = process.env.CLERK_PLATFORM_API_KEY;
const platform = `/v1/platform/applications/${app}/instances/production`;
const results = await Promise.all([
  json("/v1/environment"),
  counted(clerk.instance.get()),
  counted(clerk.instance.getOrganizationSettings()),
  json("/v1/instance/protect", secretKey),
  json("/v1/instance/oauth_application_settings", secretKey),
  counted(clerk.domains.list()),
  all((p) => clerk.allowlistIdentifiers.getAllowlistIdentifierList(p)),
  counted(clerk.blocklistIdentifiers.getBlocklistIdentifierList()),
  all((p) => clerk.jwtTemplates.list(p)),
  redirectUrls(),
  all((p) => clerk.oauthApplications.list(p)),
  all((p) => clerk.enterpriseConnections.getEnterpriseConnectionList(p)),
  all((p) => clerk.organizationRoles.getOrganizationRoleList(p)),
  all((p) => clerk.organizationPermissions.getOrganizationPermissionList(p)),
  all((p) => clerk.samlConnections.getSamlConnectionList(p)),
  // The schema after the config, as clerk-drift reads it.
  json(`${platform}/config`, platformKey).then(() => json(`${platform}/config/schema`, platformKey)),
  pages("/v1/organization_domains"),
  pages("/v1/role_sets"),
  json("/v1/instance/communication", secretKey),
  json("/v1/jwks", secretKey),
]);
console.log(JSON.stringify({
  requests,
  entries: { allowlist: results[6].length, jwt_templates: results[8].length, redirect_urls: results[9].length },
}));
