#!/usr/bin/env python3
"""Regenerates examples/acme-prod/ and examples/acme-prod-drifted/ from the shared fixtures.

acme-prod is a hardened production instance: the FAPI environment is the clerk-ios mock fixture
turned into a production instance with the newer 2026-05-12 fields, the Platform config is Clerk's
own SECURE_CONFIG test document (clerk/cli security fixtures) laid over the clerk/javascript e2e
dump, and the Backend API bodies follow the 2026-05-12 spec schemas and examples.

acme-prod-drifted is the same instance after the bad dashboard edits listed in DRIFT below.
Run from the repository root: python3 scripts/make-examples.py [path/to/shared]
"""
import copy
import json
import os
import sys

SHARED = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared")
FIX = os.path.join(SHARED, "clerk-openapi", "fixtures")

# Dashboard edits applied to the drifted copy. tests/integration/examples.rs asserts that `plan`
# reports exactly these, and nothing else (switching CAPTCHA off also clears its widget type:
# `sign_up.captcha.widget_type` is null while CAPTCHA is off).
DRIFT = [
    "session: inactivity timeout switched off",
    "instance: http://staging.acme.com added to allowed origins",
    "jwt_templates[supabase]: lifetime 60 s -> 1 h, `aud` claim removed, `email` claim added",
    "attack protection: lockout threshold raised from 5 to 100 attempts",
    "sign-up: CAPTCHA switched off",
    "password: breached-password detection switched off",
    "oauth_providers: GitHub enabled on Clerk's shared development credentials",
]


def load(name):
    with open(os.path.join(FIX, name)) as f:
        return json.load(f)


def write(root, rel, body):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(body, f, indent=2, sort_keys=True)
        f.write("\n")


def fapi_environment():
    env = load("fapi-environment.clerk-ios-mock-Environment.json")
    ac = env["auth_config"]
    ac.update(test_mode=False, single_session_mode=True, cookieless_dev=False,
              url_based_session_syncing=False, reverification=True,
              second_factors=["backup_code", "totp"], email_address="required")
    # 2026-05-12 fields the older clerk-ios fixture lacks (spec-required in Client.AuthConfig,
    # Client.DisplayConfig and Client.Environment): no native trusted devices, no CAPTCHA bypass,
    # no API keys.
    ac["native_settings"] = {"object": "native_settings", "api_enabled": True,
                             "trusted_device_sign_in_enabled": False,
                             "trusted_device_enrollment_prompt_after_sign_in_enabled": False,
                             "trusted_device_enrollment_prompt_after_sign_up_enabled": False}
    env["api_keys_settings"] = {"enabled": False, "user_api_keys_enabled": False,
                                "orgs_api_keys_enabled": False}
    dc = env["display_config"]
    dc.update(instance_environment_type="production", application_name="Acme",
              captcha_provider="turnstile", captcha_widget_type="smart",
              captcha_public_key="0x4AAAAAAAacmeTurnstilePublicKey", captcha_oauth_bypass=[])
    for k, v in list(dc.items()):
        if isinstance(v, str) and "amusing-barnacle-26.accounts.dev" in v:
            dc[k] = v.replace("amusing-barnacle-26.accounts.dev", "accounts.acme.com")
    us = env["user_settings"]
    us["attributes"]["passkey"] = {
        "enabled": True, "required": False, "used_for_first_factor": True, "first_factors": ["passkey"],
        "used_for_second_factor": False, "second_factors": [], "verifications": ["passkey"],
        "verify_at_sign_up": False, "immutable": False}
    us["attributes"]["phone_number"].update(used_for_second_factor=False, second_factors=[])
    # Identifiers stay changeable, as the Platform config says (`auth_*.immutable`).
    for identifier in ("email_address", "phone_number", "username"):
        us["attributes"][identifier]["immutable"] = False
    # Enterprise SSO is on (the SAML connection below), not self-serve.
    us["saml"] = {"enabled": True}
    us["enterprise_sso"] = {"enabled": True, "self_serve_sso": False}
    # An email address is required at sign-up, as the Platform config says
    # (`auth_email.required_for_sign_up`): one instance, whichever API describes it.
    us["attributes"]["email_address"]["required"] = True
    us["sign_up"].update(captcha_enabled=True, captcha_widget_type="smart", mode="public",
                         legal_consent_enabled=True)
    us["sign_in"] = {"second_factor": {"required": True}}
    us["restrictions"] = {
        "allowlist": {"enabled": False}, "blocklist": {"enabled": True},
        "allowlist_blocklist_disabled_on_sign_in": {"enabled": False},
        "block_email_subaddresses": {"enabled": True},
        "block_disposable_email_domains": {"enabled": True}}
    us["password_settings"].update(min_length=12, disable_hibp=False, enforce_hibp_on_sign_in=True,
                                   show_zxcvbn=True, min_zxcvbn_strength=3,
                                   disable_password_reverification=False)
    us["attack_protection"] = {
        "user_lockout": {"enabled": True, "max_attempts": 5, "duration_in_minutes": 60},
        "pii": {"enabled": True}, "email_link": {"require_same_client": True},
        "enumeration_protection": {"enabled": True}}
    us["passkey_settings"] = {"allow_autofill": True, "show_sign_in_button": True,
                              "satisfies_second_factor": True}
    us["actions"] = {"delete_self": True, "create_organization": False}
    env["organization_settings"].update(slug={"disabled": False}, actions={"admin_delete": False},
                                        domains={"enabled": True,
                                                 "enrollment_modes": ["manual_invitation", "automatic_suggestion"],
                                                 "default_role": "org:member"})
    env["fraud_settings"] = {"object": "fraud_settings", "native": {"device_attestation_mode": "onboarding"}}
    env["partitioned_cookies"] = False
    env["maintenance_mode"] = False
    env["client_debug_mode"] = False
    return env


def plapi_config():
    e2e = load("platform-config.clerk-javascript-e2e-with-email-codes.json")
    secure = load("platform-config.clerk-cli-security-test-docs.json")["SECURE_CONFIG"]
    cfg = copy.deepcopy(e2e)
    for k, v in secure.items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k].update(v)
        else:
            cfg[k] = v
    cfg["config_version"] = "cv_2xAcmeProd0001"
    cfg["auth_attack_protection"]["user_lockout"]["max_attempts"] = 5
    # Strict enumeration protection, as the Frontend API's `enumeration_protection.enabled` says.
    cfg["auth_attack_protection"]["enumeration_protection"] = "strict"
    cfg["auth_password"].update(min_length=12, require_special_char=False)
    cfg["auth_phone"].update(used_for_second_factor=False, second_factor_strategies=[],
                             sign_in_strategies=["phone_code"])
    cfg["auth_email"]["sign_in_strategies"] = ["email_code"]
    cfg["auth_passkey"].update(used_for_sign_in=True, satisfies_second_factor=True)
    cfg["auth_access_control"].update(allowlist_enabled=False, blocklist_enabled=True)
    cfg["compliance"]["legal_consent"] = {"enabled": True,
                                          "privacy_policy_url": "https://acme.com/privacy",
                                          "terms_of_service_url": "https://acme.com/terms"}
    cfg["organization_settings"].update(domains_enrollment_modes=["manual_invitation", "automatic_suggestion"],
                                        admin_delete_enabled=False)
    for name in list(cfg):
        if name.startswith("connection_oauth_") and isinstance(cfg[name], dict):
            cfg[name].update(enabled=False, client_id="", client_secret="")
    # Custom credentials for the two providers in use. The secrets are canaries: tests assert
    # that they never reach a snapshot or any output.
    cfg["connection_oauth_google"].update(enabled=True, authenticatable=True,
                                          client_id="1234-acme.apps.googleusercontent.com",
                                          client_secret="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cret")
    cfg["connection_oauth_apple"].update(enabled=True, authenticatable=True,
                                         client_id="com.acme.signin",
                                         client_secret="CANARY-acme-apple-client-secret")
    cfg["connections_oauth_custom"] = {}
    cfg["session"] = {"claims": {"org_slug": "{{org.slug}}"}}
    return cfg


def page(items):
    return {"data": items, "total_count": len(items)}


# Values Clerk documents for the config's string settings (docs and the spec's enums).
CONFIG_ENUMS = {
    "enumeration_protection": ["none", "bulk", "strict"],
    "sign_up_mode": ["public", "restricted", "waitlist"],
    "captcha_widget_type": ["", "smart", "invisible"],
}


def config_schema(cfg):
    """GET .../config/schema (PlatformConfigSchemaResponse): a JSON Schema of the config document,
    its properties typed as clerk/cli's ConfigSchemaProperty (type, description, enum,
    x-clerk-sensitive), inferred here from the config itself (no real schema is public)."""
    def infer(key, value, sibling=None):
        if isinstance(value, bool):
            s = {"type": "boolean"}
        elif isinstance(value, int):
            s = {"type": "integer"}
        elif isinstance(value, float):
            s = {"type": "number"}
        elif isinstance(value, str):
            s = {"type": "string"}
            if key in CONFIG_ENUMS:
                s["enum"] = CONFIG_ENUMS[key]
            if key == "client_secret":
                s["x-clerk-sensitive"] = True
        elif isinstance(value, list):
            s = {"type": "array", "items": infer(key, value[0]) if value else {"type": "string"}}
        elif isinstance(value, dict):
            s = {"type": "object",
                 "properties": {k: infer(k, v) for k, v in sorted(value.items())}}
        elif sibling is not None:
            s = dict(infer(key, sibling), type=["object", "null"])
        else:
            s = {"type": ["string", "null"]}
        return s
    provider = cfg.get("connection_oauth_google")
    props = {}
    for k, v in sorted(cfg.items()):
        if k == "config_version":
            continue
        sibling = provider if k.startswith("connection_oauth_") else None
        props[k] = infer(k, v, sibling)
        props[k]["description"] = k.replace("_", " ").capitalize() + " settings."
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://api.clerk.com/v1/platform/config/schema", "type": "object",
            "properties": props}


def jwks(instance_id):
    """GET /v1/jwks (the JWKS schema): one RS256 signing key, its id the instance id as Clerk
    names it. The modulus is 256 bytes derived from the id (a public key; not a real one)."""
    import base64
    import hashlib
    seed, raw = instance_id.encode(), b""
    while len(raw) < 256:
        seed = hashlib.sha256(seed).digest()
        raw += seed
    n = base64.urlsafe_b64encode(b"\xc1" + raw[1:256]).decode().rstrip("=")
    return {"keys": [{"use": "sig", "kty": "RSA", "kid": instance_id, "alg": "RS256",
                      "n": n, "e": "AQAB"}]}


def role_set(ins, roles, ts):
    """GET /v1/role_sets entry (RoleSet): the initial role set with the instance's roles."""
    def item(r):
        return {"object": "role_set_item", "id": r["id"], "name": r["name"], "key": r["key"],
                "description": r["description"], "members_count": None, "has_members": None,
                "created_at": ts, "updated_at": ts}
    by_key = {r["key"]: r for r in roles}
    return {"object": "role_set", "id": "rs_" + ins[4:20] + "Default", "name": "Default role set",
            "key": "role_set:default", "description": "The roles every organization starts with",
            "roles": [item(r) for r in roles], "default_role": item(by_key["org:member"]),
            "creator_role": item(by_key["org:admin"]), "type": "initial",
            "role_set_migration": None, "created_at": ts, "updated_at": ts}


def bapi():
    ts = 1730000000000
    return {
        "bapi/instance.json": {
            "object": "instance", "id": "ins_2xAcmeProdInstance0000001", "environment_type": "production",
            "allowed_origins": ["https://acme.com", "https://app.acme.com"], "workspace_id": None},
        "bapi/organization_settings.json": {
            "object": "organization_settings", "enabled": True, "max_allowed_memberships": 3,
            "max_allowed_roles": 10, "max_role_sets_allowed": 30, "max_allowed_domains": 10,
            "creator_role": "org:admin", "admin_delete_enabled": False, "domains_enabled": True,
            "slug_disabled": False, "domains_enrollment_modes": ["manual_invitation", "automatic_suggestion"],
            "domains_default_role": "org:member", "initial_role_set_key": "role_set:default"},
        "bapi/protect.json": {"object": "instance_protect", "rules_enabled": True,
                              "specter_enabled": True, "checks_bypassed": False},
        "bapi/oauth_application_settings.json": {
            "object": "oauth_application_settings", "dynamic_oauth_client_registration": False,
            "default_scopes": ["email", "profile"], "oauth_jwt_access_tokens": True,
            "client_id_metadata_documents_advertised": False,
            "client_id_metadata_documents_only_allow_pre_registered_clients": True,
            "client_id_metadata_documents_block_implicitly_allowed_clients": True},
        "bapi/domains.json": page([
            {"object": "domain", "id": "dmn_2xAcmePrimary", "name": "acme.com", "is_satellite": False,
             "frontend_api_url": "https://clerk.acme.com", "accounts_portal_url": "https://accounts.acme.com",
             "proxy_url": None, "development_origin": "",
             "cname_targets": [{"host": "clerk.acme.com", "value": "frontend-api.clerk.services", "required": True},
                               {"host": "accounts.acme.com", "value": "accounts.clerk.services", "required": True}]},
            {"object": "domain", "id": "dmn_2xAcmeEuSatellite", "name": "acme.eu", "is_satellite": True,
             "frontend_api_url": "https://clerk.acme.eu", "accounts_portal_url": None,
             "proxy_url": "https://acme.eu/__clerk", "development_origin": "",
             "cname_targets": [{"host": "clerk.acme.eu", "value": "frontend-api.clerk.services", "required": True}]},
        ]),
        # A bare array: the shape the spec documents without `paginated=true`.
        "bapi/jwt_templates.json": [
            {"object": "jwt_template", "id": "jtmp_2xAcmeSupabase", "name": "supabase",
             "claims": {"aud": "authenticated", "role": "authenticated", "app_metadata": {"org": "{{org.id}}"}},
             "lifetime": 60, "allowed_clock_skew": 5, "custom_signing_key": True, "signing_algorithm": "HS256",
             "created_at": ts, "updated_at": ts},
            {"object": "jwt_template", "id": "jtmp_2xAcmeGateway", "name": "api-gateway",
             "claims": {"aud": "https://api.acme.com", "org_id": "{{org.id}}", "org_role": "{{org.role}}"},
             "lifetime": 60, "allowed_clock_skew": 5, "custom_signing_key": False, "signing_algorithm": "RS256",
             "created_at": ts, "updated_at": ts},
        ],
        "bapi/allowlist_identifiers.json": page([]),
        "bapi/blocklist_identifiers.json": page([
            {"object": "blocklist_identifier", "id": "blid_2xAcme1", "identifier": "abuse@example.net",
             "identifier_type": "email_address", "instance_id": "ins_2xAcmeProdInstance0000001",
             "created_at": ts, "updated_at": ts},
            {"object": "blocklist_identifier", "id": "blid_2xAcme2", "identifier": "*@spam.example",
             "identifier_type": "email_address", "instance_id": "ins_2xAcmeProdInstance0000001",
             "created_at": ts, "updated_at": ts},
        ]),
        "bapi/redirect_urls.json": page([
            {"object": "redirect_url", "id": "ru_2xAcme1", "url": "com.acme.app://oauth-callback",
             "created_at": ts, "updated_at": ts},
            {"object": "redirect_url", "id": "ru_2xAcme2", "url": "https://app.acme.com/sso-callback",
             "created_at": ts, "updated_at": ts},
        ]),
        "bapi/oauth_applications.json": page([
            {"object": "oauth_application", "id": "oa_2xAcmeCli", "instance_id": "ins_2xAcmeProdInstance0000001",
             "name": "Acme CLI", "client_id": "acme_cli_2xAcme", "client_uri": None, "client_image_url": None,
             "dynamically_registered": False, "consent_screen_enabled": True, "pkce_required": True,
             "public": True, "scopes": "profile email", "redirect_uris": ["http://127.0.0.1:8976/callback"],
             "callback_url": "http://127.0.0.1:8976/callback",
             "authorize_url": "https://clerk.acme.com/oauth/authorize",
             "token_fetch_url": "https://clerk.acme.com/oauth/token",
             "user_info_url": "https://clerk.acme.com/oauth/userinfo",
             "discovery_url": "https://clerk.acme.com/.well-known/openid-configuration",
             "token_introspection_url": "https://clerk.acme.com/oauth/token_info",
             "created_at": ts, "updated_at": ts},
        ]),
        "bapi/enterprise_connections.json": page([
            {"object": "enterprise_connection", "id": "entc_2xAcmeOkta", "name": "Acme Okta",
             "provider": "saml_okta", "active": True, "domains": ["acme.com"], "organization_id": None,
             "authenticatable": True, "disable_jit_provisioning": False, "sync_user_attributes": True,
             "allow_organization_account_linking": False, "disable_additional_identifications": True,
             "saml_connection": {"id": "samlc_2xAcme", "name": "Acme Okta",
                                 "idp_entity_id": "http://www.okta.com/exkAcme",
                                 "idp_sso_url": "https://acme.okta.com/app/acme/sso/saml",
                                 "idp_metadata_url": None, "acs_url": "https://clerk.acme.com/v1/saml/acs",
                                 "sp_entity_id": "https://clerk.acme.com/saml", "sp_metadata_url": None,
                                 "active": True, "allow_idp_initiated": False, "allow_subdomains": False,
                                 "force_authn": True},
             "oauth_config": None, "created_at": ts, "updated_at": ts},
        ]),
        # GET /v1/saml_connections (deprecated, SAMLConnection schema): the IdP certificate's
        # validity window. 1893456000000 = 2030-01-01T00:00:00Z.
        "bapi/saml_connections.json": page([
            {"object": "saml_connection", "id": "samlc_2xAcme", "name": "Acme Okta", "domain": "acme.com",
             "domains": ["acme.com"], "idp_entity_id": "http://www.okta.com/exkAcme",
             "idp_sso_url": "https://acme.okta.com/app/acme/sso/saml", "idp_certificate": "MIIC…(public)",
             "idp_certificate_issued_at": 1758931200000, "idp_certificate_expires_at": 1893456000000,
             "idp_metadata_url": None, "idp_metadata": None, "acs_url": "https://clerk.acme.com/v1/saml/acs",
             "sp_entity_id": "https://clerk.acme.com/saml", "sp_metadata_url": None, "organization_id": None,
             "attribute_mapping": {"user_id": "id", "email_address": "email", "first_name": "firstName",
                                   "last_name": "lastName"},
             "active": True, "provider": "saml_okta", "user_count": 42, "sync_user_attributes": True,
             "allow_subdomains": False, "allow_idp_initiated": False, "force_authn": True,
             "created_at": ts, "updated_at": ts},
        ]),
        "bapi/organization_roles.json": page([
            {"object": "role", "id": "role_2xAdmin", "name": "Admin", "key": "org:admin", "description": None,
             "is_creator_eligible": True, "created_at": ts, "updated_at": ts,
             "permissions": [{"object": "permission", "id": "perm_1", "name": "Manage members",
                              "key": "org:sys_memberships:manage", "description": "", "type": "system",
                              "created_at": ts, "updated_at": ts},
                             {"object": "permission", "id": "perm_2", "name": "Delete organization",
                              "key": "org:sys_profile:delete", "description": "", "type": "system",
                              "created_at": ts, "updated_at": ts}]},
            {"object": "role", "id": "role_2xMember", "name": "Member", "key": "org:member", "description": None,
             "is_creator_eligible": False, "created_at": ts, "updated_at": ts,
             "permissions": [{"object": "permission", "id": "perm_3", "name": "Read members",
                              "key": "org:sys_memberships:read", "description": "", "type": "system",
                              "created_at": ts, "updated_at": ts}]},
        ]),
        # Every organization's domains (ListAllOrganizationDomains): one verified that suggests
        # membership, one not yet verified that needs an invitation.
        "bapi/organization_domains.json": page([
            {"object": "organization_domain", "id": "orgdmn_2acmeCom", "organization_id": "org_2acme",
             "name": "acme.com", "enrollment_mode": "automatic_suggestion",
             "affiliation_email_address": None,
             "affiliation_verification": {"status": "verified", "strategy": "email_code", "attempts": 1,
                                          "expire_at": None, "verified_at": None},
             "ownership_verification": None,
             "verification": {"status": "verified", "strategy": "email_code", "attempts": 1,
                              "expire_at": None, "verified_at": None},
             "total_pending_invitations": 0, "total_pending_suggestions": 2,
             "public_organization_data": None, "created_at": ts, "updated_at": ts},
            {"object": "organization_domain", "id": "orgdmn_2acmeLabs", "organization_id": "org_2acme",
             "name": "acme-labs.com", "enrollment_mode": "manual_invitation",
             "affiliation_email_address": None, "affiliation_verification": None,
             "ownership_verification": None, "verification": None,
             "total_pending_invitations": 0, "total_pending_suggestions": 0,
             "public_organization_data": None, "created_at": ts, "updated_at": ts},
        ]),
        # GET /v1/instance/communication: SMS is not sent to countries the instance does not
        # serve and where SMS pumping is common.
        "bapi/communication.json": {"object": "instance_communication",
                                    "blocked_country_codes": ["BD", "KG", "NG", "PK", "UZ"]},
        "bapi/jwks.json": jwks("ins_2xAcmeProdInstance0000001"),
        "bapi/organization_permissions.json": page([
            {"object": "permission", "id": "perm_1", "name": "Manage members", "key": "org:sys_memberships:manage",
             "description": "", "type": "system", "created_at": ts, "updated_at": ts},
            {"object": "permission", "id": "perm_2", "name": "Delete organization", "key": "org:sys_profile:delete",
             "description": "", "type": "system", "created_at": ts, "updated_at": ts},
            {"object": "permission", "id": "perm_3", "name": "Read members", "key": "org:sys_memberships:read",
             "description": "", "type": "system", "created_at": ts, "updated_at": ts},
        ]),
    }


def with_derived(files):
    """The files derived from others: the role set from the roles, the config's schema."""
    roles = files["bapi/organization_roles.json"]["data"]
    files["bapi/role_sets.json"] = page([role_set("ins_2xAcmeProdInstance0000001", roles,
                                                  1730000000000)])
    files["plapi/config_schema.json"] = config_schema(files["plapi/config.json"])
    return files


def drift(files):
    f = copy.deepcopy(files)
    env, cfg = f["fapi/environment.json"], f["plapi/config.json"]
    cfg["config_version"] = "cv_2xAcmeProd0007"
    cfg["session_settings"]["inactivity_timeout"]["enabled"] = False
    f["bapi/instance.json"]["allowed_origins"].append("http://staging.acme.com")
    sb = f["bapi/jwt_templates.json"][0]
    sb["lifetime"] = 3600
    del sb["claims"]["aud"]
    sb["claims"]["email"] = "{{user.primary_email_address}}"
    sb["updated_at"] = 1763000000000
    env["user_settings"]["attack_protection"]["user_lockout"]["max_attempts"] = 100
    cfg["auth_attack_protection"]["user_lockout"]["max_attempts"] = 100
    env["user_settings"]["sign_up"]["captcha_enabled"] = False
    cfg["auth_attack_protection"]["bot_protection"]["captcha_enabled"] = False
    env["user_settings"]["password_settings"]["disable_hibp"] = True
    cfg["auth_password"]["disable_hibp"] = True
    env["user_settings"]["social"]["oauth_github"].update(enabled=True, authenticatable=True)
    env["auth_config"]["first_factors"].append("oauth_github")
    env["auth_config"]["identification_strategies"].append("oauth_github")
    cfg["connection_oauth_github"].update(enabled=True, authenticatable=True, client_id="", client_secret="")
    return f


def main():
    files = with_derived({"fapi/environment.json": fapi_environment(),
                          "plapi/config.json": plapi_config(), **bapi()})
    for root, body in (("examples/acme-prod", files), ("examples/acme-prod-drifted", drift(files))):
        for rel, content in body.items():
            write(root, rel, content)
    print("wrote examples/acme-prod and examples/acme-prod-drifted")


if __name__ == "__main__":
    main()
