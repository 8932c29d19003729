"""Provider token formats for `providers.py`: one random generator per
provider, in its documented format (the source named beside each), the
contexts a value is placed in, and secrets found by where they sit.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid
from typing import Callable, Dict, List, Tuple

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
URLSAFE = ALNUM + "-_"
B64 = ALNUM + "+/"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

GENERIC = {
    "secrets.password_assignment",
    "secrets.secret_assignment",
    "secrets.token_assignment",
    "secrets.api_key_assignment",
    "secrets.bearer_token",
    "secrets.basic_auth_header",
}


def pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


Gen = Callable[[random.Random], str]

# provider -> (variable name used in named contexts, generator)
PROVIDERS: Dict[str, Tuple[str, Gen]] = {
    # --- already covered before this pass; kept to catch regressions ---
    # AWS IAM docs: AKIA/ASIA + 16 base32.
    "aws_access_key": ("AWS_ACCESS_KEY_ID", lambda r: r.choice(["AKIA", "ASIA"]) + pick(r, string.ascii_uppercase + "234567", 16)),
    # GitHub docs "About authentication": ghp_ + 36 base62.
    "github_pat": ("GITHUB_TOKEN", lambda r: "ghp_" + pick(r, ALNUM, 36)),
    "github_fine_grained": ("GH_TOKEN", lambda r: "github_pat_" + pick(r, ALNUM, 22) + "_" + pick(r, ALNUM, 59)),
    # GitLab docs "Token prefixes".
    "gitlab_pat": ("GITLAB_TOKEN", lambda r: "glpat-" + pick(r, URLSAFE, 20)),
    "gitlab_deploy": ("CI_DEPLOY_PASSWORD", lambda r: "gldt-" + pick(r, URLSAFE, 20)),
    # Slack docs "Token types".
    "slack_bot": ("SLACK_BOT_TOKEN", lambda r: "xoxb-" + pick(r, string.digits, 12) + "-" + pick(r, string.digits, 13) + "-" + pick(r, ALNUM, 24)),
    "slack_app": ("SLACK_APP_TOKEN", lambda r: "xapp-1-A" + pick(r, UPPER_ALNUM, 10) + "-" + pick(r, string.digits, 13) + "-" + pick(r, HEX, 64)),
    # Stripe docs "API keys".
    "stripe_live": ("STRIPE_SECRET_KEY", lambda r: r.choice(["sk_live_", "rk_live_"]) + pick(r, ALNUM, r.choice([24, 99]))),
    # OpenAI project keys (sk-proj- ... T3BlbkFJ ...), gitleaks `openai-api-key`.
    "openai": ("OPENAI_API_KEY", lambda r: "sk-proj-" + pick(r, URLSAFE, 74) + "T3BlbkFJ" + pick(r, URLSAFE, 74)),
    # Anthropic: sk-ant-api03- + 93 + AA (gitleaks `anthropic-api-key`).
    "anthropic": ("ANTHROPIC_API_KEY", lambda r: "sk-ant-api03-" + pick(r, URLSAFE, 93) + "AA"),
    # Google API keys: AIza + 35 (Google Cloud docs, gitleaks `gcp-api-key`).
    "google_api_key": ("GOOGLE_API_KEY", lambda r: "AIza" + pick(r, URLSAFE, 35)),
    "google_oauth_access": ("access_token", lambda r: "ya29." + pick(r, URLSAFE, 150)),
    "npm": ("NPM_TOKEN", lambda r: "npm_" + pick(r, ALNUM, 36)),
    "sendgrid": ("SENDGRID_API_KEY", lambda r: "SG." + pick(r, URLSAFE, 22) + "." + pick(r, URLSAFE, 43)),
    "digitalocean": ("DIGITALOCEAN_TOKEN", lambda r: "dop_v1_" + pick(r, HEX, 64)),
    "huggingface": ("HF_TOKEN", lambda r: "hf_" + pick(r, string.ascii_letters, 34)),
    "shopify": ("SHOPIFY_ACCESS_TOKEN", lambda r: r.choice(["shpat_", "shpss_"]) + pick(r, HEX, 32)),
    "docker_hub": ("DOCKERHUB_TOKEN", lambda r: "dckr_pat_" + pick(r, URLSAFE, 27)),
    "vault": ("VAULT_TOKEN", lambda r: "hvs." + pick(r, URLSAFE, 95)),
    "grafana_sa": ("GRAFANA_TOKEN", lambda r: "glsa_" + pick(r, ALNUM, 32) + "_" + pick(r, HEX, 8)),
    "sentry_user": ("SENTRY_AUTH_TOKEN", lambda r: "sntryu_" + pick(r, HEX, 64)),
    "linear": ("LINEAR_API_KEY", lambda r: "lin_api_" + pick(r, ALNUM, 40)),
    "planetscale": ("PLANETSCALE_TOKEN", lambda r: "pscale_tkn_" + pick(r, URLSAFE, 43)),
    "databricks": ("DATABRICKS_TOKEN", lambda r: "dapi" + pick(r, HEX, 32)),
    "postman": ("POSTMAN_API_KEY", lambda r: "PMAK-" + pick(r, HEX, 24) + "-" + pick(r, HEX, 34)),
    "age": ("AGE_KEY", lambda r: "AGE-SECRET-KEY-1" + pick(r, BECH32.upper(), 58)),
    "pulumi": ("PULUMI_ACCESS_TOKEN", lambda r: "pul-" + pick(r, HEX, 40)),
    # --- providers this pass looks at ---
    # Tailscale KB 1277 "Key prefixes": tskey-<type>-<id>CNTRL-<secret>.
    "tailscale": ("TS_AUTHKEY", lambda r: "tskey-" + r.choice(["auth", "api", "client", "scim", "webhook"]) + "-k" + pick(r, ALNUM, 8) + "CNTRL-" + pick(r, ALNUM, 33)),
    # Meta Graph API access tokens start EAA (gitleaks `facebook-page-access-token`).
    "facebook": ("FB_ACCESS_TOKEN", lambda r: "EAA" + r.choice("BCGIJM") + pick(r, ALNUM, r.randint(150, 220))),
    # X/Twitter app-only bearer: 22 A then 80-100 [A-Za-z0-9%] (gitleaks `twitter-bearer-token`).
    "twitter_bearer": ("TWITTER_BEARER_TOKEN", lambda r: "A" * 22 + pick(r, ALNUM + "%", r.randint(80, 100))),
    # AWS STS session tokens: base64 of a serialized blob starting "\x21\n\x09origin_ec" (IQoJb3JpZ2luX2Vj) or FwoGZXIvYXdz.
    "aws_session_token": ("AWS_SESSION_TOKEN", lambda r: r.choice(["IQoJb3JpZ2luX2Vj", "FwoGZXIvYXdzE"]) + pick(r, B64, r.randint(300, 700)) + r.choice(["", "=", "=="])),
    # Google OAuth refresh tokens: 1// then ~100 URL-safe (Google OAuth 2.0 docs examples' shape).
    "google_refresh": ("refresh_token", lambda r: "1//0" + pick(r, ALNUM, 1) + pick(r, URLSAFE, 98)),
    # Firebase Cloud Messaging legacy server keys: AAAA + 7 + :APA91b + 134 (trufflehog `firebasecloudmessaging`).
    "firebase_fcm": ("FCM_SERVER_KEY", lambda r: "AAAA" + pick(r, URLSAFE, 7) + ":APA91b" + pick(r, URLSAFE, 134)),
    # Tencent Cloud SecretId: AKID + 32 (Tencent CAM docs, trufflehog `tencent`).
    "tencent": ("TENCENTCLOUD_SECRET_ID", lambda r: "AKID" + pick(r, ALNUM, 32)),
    # SonarQube docs "Generating and using tokens": squ_/sqp_/sqa_ + 40 hex.
    "sonarqube": ("SONAR_TOKEN", lambda r: r.choice(["squ_", "sqp_", "sqa_"]) + pick(r, HEX, 40)),
    # gitleaks `octopus-deploy-api-key`: API- + 26 upper alnum.
    "octopus": ("OCTOPUS_API_KEY", lambda r: "API-" + pick(r, UPPER_ALNUM, 26)),
    # gitleaks `harness-api-key`: pat|sat . 22 . 24 . 20.
    "harness": ("HARNESS_API_KEY", lambda r: r.choice(["pat.", "sat."]) + pick(r, URLSAFE, 22) + "." + pick(r, ALNUM, 24) + "." + pick(r, ALNUM, 20)),
    # gitleaks `prefect-api-token`: pnu_ + 36.
    "prefect": ("PREFECT_API_KEY", lambda r: "pnu_" + pick(r, ALNUM, 36)),
    # gitleaks `infracost-api-token`: ico- + 32.
    "infracost": ("INFRACOST_API_KEY", lambda r: "ico-" + pick(r, ALNUM, 32)),
    # gitleaks `readme-api-token`: rdme_ + 70.
    "readme": ("README_API_KEY", lambda r: "rdme_" + pick(r, LOWER_ALNUM, 70)),
    # gitleaks `scalingo-api-token`: tk-us- + 48.
    "scalingo": ("SCALINGO_API_TOKEN", lambda r: "tk-us-" + pick(r, URLSAFE, 48)),
    # gitleaks `shippo-api-token`.
    "shippo": ("SHIPPO_API_KEY", lambda r: "shippo_" + r.choice(["live", "test"]) + "_" + pick(r, HEX, 40)),
    # gitleaks `duffel-api-token`.
    "duffel": ("DUFFEL_ACCESS_TOKEN", lambda r: "duffel_" + r.choice(["live", "test"]) + "_" + pick(r, URLSAFE, 43)),
    # gitleaks `easypost-api-token`: EZAK/EZTK + 54.
    "easypost": ("EASYPOST_API_KEY", lambda r: r.choice(["EZAK", "EZTK"]) + pick(r, ALNUM, 54)),
    # gitleaks `frameio-api-token`.
    "frameio": ("FRAMEIO_TOKEN", lambda r: "fio-u-" + pick(r, URLSAFE, 64)),
    # gitleaks `maxmind-license-key`: 6 _ 29 _mmk.
    "maxmind": ("MAXMIND_LICENSE_KEY", lambda r: pick(r, ALNUM, 6) + "_" + pick(r, ALNUM, 29) + "_mmk"),
    # OpenShift OAuth access tokens: sha256~ + 43 (gitleaks `openshift-user-token`).
    "openshift": ("OPENSHIFT_TOKEN", lambda r: "sha256~" + pick(r, URLSAFE, 43)),
    # gitleaks `clickhouse-cloud-api-secret-key`: 4b1d + 38.
    "clickhouse": ("CLICKHOUSE_KEY_SECRET", lambda r: "4b1d" + pick(r, ALNUM, 38)),
    # gitleaks `defined-networking-api-token`.
    "defined_networking": ("DN_API_KEY", lambda r: "dnkey-" + pick(r, LOWER_ALNUM, 26) + "-" + pick(r, LOWER_ALNUM, 52)),
    # gitleaks `intra42-client-secret`.
    "intra42": ("FT_SECRET", lambda r: "s-s4t2" + r.choice(["ud", "af"]) + "-" + pick(r, HEX, 64)),
    # gitleaks `settlemint-*-token`.
    "settlemint": ("SETTLEMINT_TOKEN", lambda r: "sm_" + r.choice(["pat", "aat", "sat"]) + "_" + pick(r, ALNUM, 16)),
    # gitleaks `adobe-client-secret`: p8e- + 32.
    "adobe": ("ADOBE_CLIENT_SECRET", lambda r: "p8e-" + pick(r, ALNUM, 32)),
    # PostHog docs "Personal API keys": phx_ + 43 (project keys phc_ are public).
    "posthog": ("POSTHOG_PERSONAL_API_KEY", lambda r: "phx_" + pick(r, ALNUM, 43)),
    # Plaid docs "access_token": access-<env>-<uuid>.
    "plaid": ("PLAID_ACCESS_TOKEN", lambda r: "access-" + r.choice(["sandbox", "development", "production"]) + "-" + uid(r)),
    # Paddle Billing docs "API keys": pdl_(live|sdbx)_apikey_ + 26 _ 22 _ 3.
    "paddle": ("PADDLE_API_KEY", lambda r: "pdl_" + r.choice(["live", "sdbx"]) + "_apikey_" + pick(r, LOWER_ALNUM, 26) + "_" + pick(r, ALNUM, 22) + "_" + pick(r, ALNUM, 3)),
    # WooCommerce REST API keys: ck_/cs_ + 40 hex (WooCommerce REST API docs).
    "woocommerce": ("WC_CONSUMER_SECRET", lambda r: r.choice(["ck_", "cs_"]) + pick(r, HEX, 40)),
    # ClickUp personal tokens: pk_<user id>_<32 upper alnum> (ClickUp API docs).
    "clickup": ("CLICKUP_API_TOKEN", lambda r: "pk_" + pick(r, string.digits, r.randint(6, 9)) + "_" + pick(r, UPPER_ALNUM, 32)),
    # crates.io API tokens: cio + 32 alnum (crates.io, RFC 3231 token prefix).
    "crates_io": ("CARGO_REGISTRY_TOKEN", lambda r: "cio" + pick(r, ALNUM, 32)),
    # ElevenLabs API keys: sk_ + 48 hex.
    "elevenlabs": ("ELEVENLABS_API_KEY", lambda r: "sk_" + pick(r, HEX, 48)),
    # DeepSeek and Alibaba DashScope keys: sk- + 32 hex.
    "deepseek": ("DEEPSEEK_API_KEY", lambda r: "sk-" + pick(r, HEX, 32)),
    # Cerebras: csk- + 48 lower alnum.
    "cerebras": ("CEREBRAS_API_KEY", lambda r: "csk-" + pick(r, LOWER_ALNUM, 48)),
    # Together AI: tgp_v1_ + 43 URL-safe.
    "together": ("TOGETHER_API_KEY", lambda r: "tgp_v1_" + pick(r, URLSAFE, 43)),
    # Langfuse secret keys: sk-lf- + UUID.
    "langfuse": ("LANGFUSE_SECRET_KEY", lambda r: "sk-lf-" + uid(r)),
    # Cloudflare Tunnel tokens: base64 of {"a":"<account>","t":"<tunnel>","s":"<secret>"}.
    "cloudflare_tunnel": ("TUNNEL_TOKEN", lambda r: base64.b64encode(json.dumps({"a": pick(r, HEX, 32), "t": uid(r), "s": base64.b64encode(r.randbytes(32)).decode()}, separators=(",", ":")).encode()).decode()),
    # Amazon Login with Amazon / SP-API client secrets: amzn1.oa2-cs.v1. + 64 hex.
    "amazon_lwa": ("LWA_CLIENT_SECRET", lambda r: "amzn1.oa2-cs.v1." + pick(r, HEX, 64)),
    # Zapier catch hooks: hooks.zapier.com/hooks/catch/<account>/<hook>/.
    "zapier_webhook": ("ZAPIER_WEBHOOK_URL", lambda r: "https://hooks.zapier.com/hooks/catch/" + pick(r, string.digits, 7) + "/" + pick(r, LOWER_ALNUM, 6) + "/"),
    # Yandex Cloud API keys AQVN + 35-38 (gitleaks `yandex-api-key`).
    "yandex": ("YC_API_KEY", lambda r: "AQVN" + pick(r, URLSAFE, r.randint(35, 38))),
    # Google Cloud Storage HMAC access ids for service accounts: GOOG1E + 55 upper alnum.
    "gcs_hmac": ("GCS_HMAC_ACCESS_ID", lambda r: "GOOG1E" + pick(r, UPPER_ALNUM, 55)),
    # LaunchDarkly SDK keys and access tokens: sdk-/api- + UUID.
    "launchdarkly": ("LAUNCHDARKLY_SDK_KEY", lambda r: r.choice(["sdk-", "api-"]) + uid(r)),
    # Render API keys: rnd_ + 32.
    "render": ("RENDER_API_KEY", lambda r: "rnd_" + pick(r, ALNUM, 32)),
    # Resend API keys: re_ + 8 _ 24.
    "resend": ("RESEND_API_KEY", lambda r: "re_" + pick(r, ALNUM, 8) + "_" + pick(r, ALNUM, 24)),
    # Slack web-client session tokens (trufflehog `slack`): xoxc- + three ids + 64 hex.
    "slack_session": ("SLACK_XOXC", lambda r: "xoxc-" + pick(r, string.digits, 10) + "-" + pick(r, string.digits, 13) + "-" + pick(r, string.digits, 13) + "-" + pick(r, HEX, 64)),
    # Klaviyo private keys: pk_ + 34 (trufflehog `klaviyo`).
    "klaviyo": ("KLAVIYO_PRIVATE_KEY", lambda r: "pk_" + pick(r, LOWER_ALNUM, 34)),
    # OneSignal REST API keys: os_v2_app_ + lower-case body (OneSignal docs "Keys & IDs").
    "onesignal": ("ONESIGNAL_REST_API_KEY", lambda r: "os_v2_app_" + pick(r, LOWER_ALNUM, 56)),
    # Helicone: sk-helicone- + four groups of 7 (Helicone docs).
    "helicone": ("HELICONE_API_KEY", lambda r: "sk-helicone-" + "-".join(pick(r, LOWER_ALNUM, 7) for _ in range(4))),
    # Jina AI: jina_ + ~60 alphanumerics.
    "jina": ("JINA_API_KEY", lambda r: "jina_" + pick(r, ALNUM, 60)),
    # Weights & Biases: 40 hex; Kaggle: 32 hex (no prefix: found after the vendor's word only).
    "wandb": ("WANDB_API_KEY", lambda r: pick(r, HEX, 40)),
    "kaggle": ("KAGGLE_KEY", lambda r: pick(r, HEX, 32)),
    # Instagram Basic Display / Graph user tokens: IGQV + long.
    "instagram": ("IG_ACCESS_TOKEN", lambda r: "IGQV" + pick(r, URLSAFE, r.randint(150, 200))),
}

# Contexts: (template, named) - named templates carry the variable name.
CONTEXTS: List[Tuple[str, bool]] = [
    ("{name}={v}\n", True),
    ('{{"{lname}": "{v}"}}', True),
    ("{lname}: {v}\n", True),
    ('client = Client(api_key="{v}")', False),
    ('curl -H "Authorization: Bearer {v}" https://api.example.net/v1/me', False),
    ("I pasted {v} into the settings page and it still says unauthorized, why?", False),
    ("here is the key from my notes: {v}", False),
    ("<value>{v}</value>", False),
    ("Use `{v}` for now.", False),
    ("https://api.example.net/v2/items?limit=10&key={v}&page=2", False),
    ("The token is {v}.", False),
    ('{{"env": "{lname}={v}\\nDEBUG=1"}}', True),
    ("  - name: {name}\n    value: '{v}'\n", True),
    ("headers = {{'Authorization': f'Bearer {v}'}}", False),
    ("const {camel}Key = '{v}';", True),
]


# Lines from code and config in other languages and tools, each with a
# secret-named key holding something that is not a secret.
IDIOMS: List[str] = [
    'private static final String PASSWORD_PARAM = "j_password";',
    'private String passwordConfirmation;',
    '@Value("${spring.datasource.password}") private String password;',
    "$password = $_POST['password'] ?? '';",
    "$this->password = Hash::make($request->input('password'));",
    "'password' => env('DB_PASSWORD', ''),",
    "'secret' => env('STRIPE_SECRET'),",
    'password := r.FormValue("password")',
    'Password string `json:"password" yaml:"password"`',
    'Token    string `json:"token,omitempty"`',
    'var token = Environment.GetEnvironmentVariable("API_TOKEN");',
    'options.Password = Configuration["Redis:Password"];',
    'val password = binding.passwordEditText.text.toString()',
    'validates :password, length: { minimum: 8 }',
    'config.secret_key_base = Rails.application.credentials.secret_key_base',
    'POSTGRES_PASSWORD_FILE: /run/secrets/postgres_password',
    '      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?err}',
    '        password: ${{ secrets.REGISTRY_PASSWORD }}',
    '    token: ${{ github.token }}',
    'auth_basic_user_file /etc/nginx/.htpasswd;',
    "ALTER USER app WITH PASSWORD :'app_password';",
    'GRANT SELECT ON secrets_audit TO reporting;',
    'password_reset_token_expiry: 24h',
    'password-policy: strong',
    'PasswordAuthentication no',
    '<PasswordBox x:Name="PasswordBox" PlaceholderText="Password"/>',
    '<input type="password" name="password" autocomplete="current-password" required>',
    '<label for="new-password-2">Repeat password</label>',
    'secretRef: app-secrets-v2',
    'api_key_env: OPENAI_API_KEY',
    'token_endpoint: https://login.microsoftonline.com/common/oauth2/v2.0/token',
    'client_secret_basic',
    '"tokenizer": "cl100k_base", "max_tokens": 4096',
    'access_key: !env_var AWS_ACCESS_KEY_ID',
    "secret_access_key: '{{ aws_secret_key }}'",
    'SECRET_KEY = get_random_secret_key()',
    'password = getpass.getpass("Password: ")',
    'token = jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")',
    'password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt())',
    'api_key = APIKeyHeader(name="X-API-Key", auto_error=False)',
    'apiKey: process.env.NEXT_PUBLIC_FIREBASE_API_KEY!,',
    '  "password_strength": "zxcvbn-v4",',
    '  "secret_scanning": {"status": "enabled"},',
    'token_type_hint=refresh_token',
    "password: '%env(resolve:DATABASE_PASSWORD)%'",
    'spring.security.oauth2.client.registration.github.client-secret=${GITHUB_CLIENT_SECRET}',
    'keystore.password=${env:KEYSTORE_PASSWORD}',
    '<password>${env.MAVEN_REPO_PASS}</password>',
    'password = keyring.get_password("system", "username")',
    'secret = aws_secretsmanager.get_secret_value(SecretId="prod/app/db")["SecretString"]',
    'token: op://Engineering/GitHub/credential',
    'password: azurekeyvault://kv-prod-01/secrets/db-password',
    'TOKEN_PREFIX = "Bearer "',
    'api_key_prefix = "sk-proj-"',
    'SESSION_COOKIE_NAME = "__Host-session-token"',
    'csrf_token = request.cookies.get("csrftoken")',
    "passwordResetPath: '/account/password/reset/:uidb64/:token/'",
    "token: 'ghs_' + installation_id",
    'password_column = User.__table__.c.hashed_password',
    'PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]',
    'secret_key_ref = "projects/123456789012/secrets/api-key/versions/3"',
    'api_key_id: "ak-7f3c2b1a"',
    'password: Passw0rd-Requirements.md',
    'token_secret_name: gh-pat-ci-2024',
    'secret: kv/data/teams/platform#api_key',
    'const PASSWORD_INPUT_SELECTOR = \'input[name="password"]\';',
    "passwordToggle: '.js-password-visibility-toggle',",
    "$('#signupForm .password-strength-bar').css('width', '40%');",
    'document.getElementById("confirm_password_2").value = "";',
    'passwordRef = useRef<HTMLInputElement>(null);',
    '<div class="form-group has-error" id="password-group-3">',
    'token_bucket_capacity = 100',
    'secret_santa_pairs = assign(participants)',
    'api_key_rotation_days: 90',
    'password_expiry_policy: PasswordExpiry.NINETY_DAYS',
    'TokenType.REFRESH_TOKEN',
    'SECRET_TYPES = ("opaque", "kubernetes.io/tls", "kubernetes.io/dockerconfigjson")',
    'apiKeyName: "prod-ingest-key-2024"',
    'secretName: grafana-admin-credentials-v3',
    'token_audience: "api://default"',
    'client_secret_setting_name: "MICROSOFT_PROVIDER_AUTHENTICATION_SECRET"',
    '"passwordLabel": "Mot de passe",',
    '"forgotPassword": "Passwort vergessen?",',
    'password_reset.subject = "Reset your %{app} password"',
    'secret: "{{ .Values.existingSecret }}"',
    "password: '{{ .Env.DB_PASSWORD }}'",
    'token: "{{ env `GITHUB_TOKEN` }}"',
    'api_key: "#{API_KEY}#"',
    'password: "@@DB_PASSWORD@@"',
    'secret_key: "__SECRET_KEY__"',
    'PASSWORD=$(vault kv get -field=password secret/app)',
    'export API_KEY=$(aws ssm get-parameter --name /prod/api_key --with-decryption --query Parameter.Value --output text)',
    'TOKEN=`cat /var/run/secrets/kubernetes.io/serviceaccount/token`',
    'password: ${file:/run/secrets/db_password}',
    'secretKeyRef: arn:aws:secretsmanager:us-west-2:210987654321:secret:rds!db-3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9',
    'kms_key_id = "arn:aws:kms:eu-central-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"',
    'api_key_ssm_path = "/platform/prod/payments/api-key"',
    'secret_path: secret/data/payments/stripe',
    'token_file: ~/.config/gh/hosts.yml',
    'password_file = C:\\ProgramData\\app\\secrets\\db.pwd',
    "url(r'^accounts/password/reset/(?P<uidb64>[0-9A-Za-z_\\-]+)/(?P<token>.+)/$', views.reset)",
    'router.post("/auth/forgot-password", forgotPasswordHandler)',
    "Route::get('/password/reset/{token}', [ResetPasswordController::class, 'showResetForm']);",
    'location /api/v1/tokens { proxy_pass http://auth; }',
    'secret_hash = hashlib.sha256(secret.encode()).hexdigest()',
    'token_id: 4e9b1c2a-7d3f-4a8e-9b6c-5d2e1f0a3b7c',
    'api_key_id = 7',
    '"tokenCount": 1532,',
    'password_length = len(password)',
    'assert password != old_password',
    'if (password.length < 12) throw new Error("password too short");',
    '"integrity": "sha1-Aj6eA4Fz8qwH2bWvU0pKxY9mYTk=",',
    '  resolved "https://registry.yarnpkg.com/secret-handshake/-/secret-handshake-1.1.21.tgz#a5a8f0c3d2b1e4f6a7b8c9d0e1f2a3b4c5d6e7f8"',
    'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 "rotate api token"',
    'secret_manager_version: "1.4.2"',
    'passwords_table_rows = 1200000',
    'TOKEN_LIMIT=4096',
    'password123 is in every breach list and should be rejected',
    'The `password` field must be 12+ characters with a symbol.',
    'Set the API key in Settings → API keys → Create new secret key.',
    'secret: true',
    'token: null',
    'password: ""',
]


# Secrets whose shape is where they sit, not a prefix: each generator
# returns the text and the value in it. Sources: GNU inetutils `.netrc`,
# Docker `config.json` (`docker login`), curl's `-u`, sshpass, MySQL's
# `-pPASS`, redis-cli `-a`, Splunk HEC's `Authorization: Splunk`, Okta's
# `SSWS` tokens, ngrok authtokens, TeamCity's `TCV2` tokens.
def random_password(r: random.Random) -> str:
    return pick(r, ALNUM, 6) + r.choice("!#%&*+=?@^~") + pick(r, ALNUM, 6)


def _netrc(r: random.Random) -> Tuple[str, str]:
    v = random_password(r)
    return f"machine git.{pick(r, string.ascii_lowercase, 6)}.com login ci password {v}", v


def _docker(r: random.Random) -> Tuple[str, str]:
    v = base64.b64encode(f"ci-bot:{random_password(r)}".encode()).decode()
    return '{"auths": {"registry.example.com": {"auth": "' + v + '"}}}', v


def _curl_u(r: random.Random) -> Tuple[str, str]:
    v = random_password(r)
    return f"curl -u deploy:{v} https://ci.example.com/job/build", v


def _sshpass(r: random.Random) -> Tuple[str, str]:
    v = random_password(r)
    return f"sshpass -p '{v}' ssh root@10.0.{r.randint(0, 9)}.{r.randint(2, 250)}", v


def _mysql(r: random.Random) -> Tuple[str, str]:
    v = random_password(r)
    return f"mysql -u root -p{v} -h db.internal shop", v


def _redis(r: random.Random) -> Tuple[str, str]:
    v = random_password(r)
    return f"redis-cli -h cache.internal -a {v} info", v


def _splunk(r: random.Random) -> Tuple[str, str]:
    v = uid(r)
    return f'curl https://splunk.example.com:8088/services/collector -H "Authorization: Splunk {v}" -d @event.json', v


def _okta(r: random.Random) -> Tuple[str, str]:
    v = "00" + pick(r, URLSAFE, 40)
    return f"OKTA_API_TOKEN={v}", v


def _ngrok(r: random.Random) -> Tuple[str, str]:
    v = pick(r, ALNUM, 27) + "_" + pick(r, ALNUM, 21)
    return f"ngrok config add-authtoken {v}", v


def _teamcity(r: random.Random) -> Tuple[str, str]:
    v = "eyJ0eXAiOiAiVENWMiJ9." + pick(r, URLSAFE, 36) + "." + pick(r, URLSAFE, 60)
    return f"I use {v} against the TeamCity REST API", v


def _cloudinary(r: random.Random) -> Tuple[str, str]:
    v = pick(r, ALNUM + "-_", 27)
    return f"CLOUDINARY_URL=cloudinary://{pick(r, string.digits, 15)}:{v}@{pick(r, string.ascii_lowercase, 8)}", v


PLACED: Dict[str, Callable[[random.Random], Tuple[str, str]]] = {
    "cloudinary_url": _cloudinary,
    "netrc": _netrc,
    "docker_config": _docker,
    "curl_user": _curl_u,
    "sshpass": _sshpass,
    "mysql_cli": _mysql,
    "redis_cli": _redis,
    "splunk_hec": _splunk,
    "okta": _okta,
    "ngrok": _ngrok,
    "teamcity": _teamcity,
}
