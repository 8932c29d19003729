//! Software-as-a-service platforms: work tools (Linear, Notion, Airtable,
//! Figma, Asana, Dropbox, Contentful, Typeform, HubSpot, Algolia, Mapbox),
//! data platforms (Databricks, Supabase, PlanetScale), identity (Okta) and
//! customer messaging (Klaviyo, OneSignal).

use super::{near_word, prefixed, secret};
use crate::dlp::RuleSpec;
use crate::schema::Severity;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Linear docs "API and webhooks": personal API keys lin_api_ and
        // 40 alphanumerics (gitleaks `linear-api-key`).
        prefixed(
            "linear_api_key",
            "Linear API key",
            r"\blin_api_[A-Za-z0-9]{40}\b",
            &["lin_api_"],
            56,
            "LINEAR_KEY",
        )
        .tp("LINEAR_API_KEY=lin_api_wYpea3MMrZDbc2cC5hUMPfonw2phM3ZUeIbdvt1t", "lin_api_wYpea3MMrZDbc2cC5hUMPfonw2phM3ZUeIbdvt1t")
        .tp(
            "headers: { Authorization: 'lin_api_qChPwQce33fR9C75L3oxGCYQALN6MHWI4OsypMbP' }",
            "lin_api_qChPwQce33fR9C75L3oxGCYQALN6MHWI4OsypMbP",
        )
        .fp("LINEAR_API_KEY=lin_api_T5pWMTSV3dxPWxDnMyYZ")
        .fp("LINEAR_API_KEY=lin_api_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // Notion integration tokens: secret_ + 43 (until 2024) and ntn_ +
        // 11 digits + 35 (Notion developers changelog, 2024).
        prefixed(
            "notion_token",
            "Notion integration token",
            r"\b(?:secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})\b",
            &["secret_", "ntn_"],
            56,
            "NOTION_TOKEN",
        )
        .tp("NOTION_TOKEN=secret_hwkWWaKPj4W4WHMlUAF9qgYkUGS6vKQ3mrf9tTpp84I", "secret_hwkWWaKPj4W4WHMlUAF9qgYkUGS6vKQ3mrf9tTpp84I")
        .tp(
            "const notion = new Client({ auth: \"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\" })",
            "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",
        )
        .fp("SECRET_KEY_BASE=secret_key_base_for_development_only_please")
        .fp("NOTION_TOKEN=ntn_84673379213"),
        // gitleaks `airtable-personnal-access-token`: pat + 14, `.`, 64
        // hex. `pat` is everywhere in code (`path`, `pattern`), so an
        // Airtable word is the trigger and the token must be near it.
        secret(
            "airtable_token",
            "Airtable personal access token",
            Severity::Critical,
            r"\bpat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b",
        )
        .keywords(&["airtable"])
        .max_len(200)
        .validator(super::token_entropy(3.0))
        .label("AIRTABLE_TOKEN")
        .tp(
            "AIRTABLE_API_KEY=patdenyOFjNBCa98D.accfb94763efc3879f387bde416faa7672b866965e01a9a644c0019ca42c1eb4",
            "patdenyOFjNBCa98D.accfb94763efc3879f387bde416faa7672b866965e01a9a644c0019ca42c1eb4",
        )
        .tp(
            "const base = new Airtable({ apiKey: 'pat8SQjbULsMQzwqq.6dbe7960e660ba627a96b95ecbdc8622b77517d8f7022f21aca9680b716ad6a4' })",
            "pat8SQjbULsMQzwqq.6dbe7960e660ba627a96b95ecbdc8622b77517d8f7022f21aca9680b716ad6a4",
        )
        .fp("AIRTABLE_API_KEY=patXXXXXXXXXXXXXX.xxxx")
        .fp("airtable path pattern patience"),
        // Figma docs "Access tokens": figd_ + 40 URL-safe characters.
        prefixed(
            "figma_token",
            "Figma personal access token",
            r"\b(?P<value>figd_[A-Za-z0-9_-]{38,64})(?:[^A-Za-z0-9_-]|$)",
            &["figd_"],
            72,
            "FIGMA_TOKEN",
        )
        .tp("FIGMA_ACCESS_TOKEN=figd_Zu7CTBPSe3-gum_iRDquat_H4H298TeQxjQsFKj1", "figd_Zu7CTBPSe3-gum_iRDquat_H4H298TeQxjQsFKj1")
        .tp("-H 'X-Figma-Token: figd_IsWVdNItDJJgwl1aI1mAC0exeKSAq0VGqyftnUvD'", "figd_IsWVdNItDJJgwl1aI1mAC0exeKSAq0VGqyftnUvD")
        .fp("FIGMA_ACCESS_TOKEN=figd_your_actual_token_here")
        .fp("FIGMA_ACCESS_TOKEN=figd_RhPatzYMhRL4x4E4lfGt"),
        // Asana personal access tokens: `1/` or `2/`, the user id, `/` and
        // an app id in the newer form, `:`, 32 hex (Asana developer docs;
        // gitleaks `asana-client-secret` for the secret half).
        secret(
            "asana_token",
            "Asana personal access token",
            Severity::Critical,
            r"\b[12]/[0-9]{10,19}(?:/[0-9]{10,19})?:[a-f0-9]{32}\b",
        )
        .min_digits(10)
        // The last group of digits is followed by the colon.
        .trigger_shape(crate::dlp::TriggerShape::DigitsThen(":"))
        .max_len(96)
        .validator(super::entropy(3.0))
        .label("ASANA_TOKEN")
        .tp(
            "ASANA_TOKEN=2/0009692474497698/1870612425676595:5d0a5d329f7116bc7c355975fd4dfc61",
            "2/0009692474497698/1870612425676595:5d0a5d329f7116bc7c355975fd4dfc61",
        )
        .tp(
            "Authorization: Bearer 1/4787089664160198:d50fe5e3f3d17e9aa786866b5dd525c2",
            "1/4787089664160198:d50fe5e3f3d17e9aa786866b5dd525c2",
        )
        .fp("ratio 1/1234567890123 of all rows")
        .fp("ASANA_TOKEN=2/1079309493035121/1859496737141797:8530c4fb2f9daa17514222c6889f215"),
        // Dropbox short-lived access tokens: sl. and 130+ URL-safe
        // characters (gitleaks `dropbox-short-lived-api-token` wants the
        // word dropbox nearby; newer tokens start sl.u. and run longer).
        secret(
            "dropbox_token",
            "Dropbox access token",
            Severity::Critical,
            r"\b(?P<value>sl\.(?:u\.)?[A-Za-z0-9_=-]{130,1400})(?:[^A-Za-z0-9_=-]|$)",
        )
        .keywords(&["sl.", "dropbox"])
        .max_len(1500)
        .validator(super::token_entropy(3.5))
        .label("DROPBOX_TOKEN")
        .tp(
            "DROPBOX_ACCESS_TOKEN=sl.0udwMOtqnXaUkcjEoVCY1Cn0I2-GGwjU6irHmmb8pYCEPJNB8iZjf3JMcdc4Y8XDtOZYwddgPGKvNzwwSf9hH-puICRGu2NnF_yH8BMfDdM2hk8_ig17M39s105QrPpWpOPrqTjI5jEn",
            "sl.0udwMOtqnXaUkcjEoVCY1Cn0I2-GGwjU6irHmmb8pYCEPJNB8iZjf3JMcdc4Y8XDtOZYwddgPGKvNzwwSf9hH-puICRGu2NnF_yH8BMfDdM2hk8_ig17M39s105QrPpWpOPrqTjI5jEn",
        )
        .tp("token = \"sl.u.bnGAOZRdkK174CXjmHtpFpW4S7qRqOZCj53dzskkuQpEmadOm5PeFww20eZxT3jzs-RMDr1tzJV_LjiD2RjA17QcpttHtMRo8xQ_leTh_ICvq36KdyNXuuBZoavJ0ijcWuhfxZ6j_TDAWX_M1sk3TTvNLM4Ae2MsU7qfgaS2pY8jsW-mOhUWzuI5jxBVPdGE0oxmmRlUdicIi4moXrWFkEjmuu6hClgE66vK07PBoy1XiwByDXQ5GzO_gJWtVnVLy07XtN-BNhv3xWUlpznrZiQATHB1NHUAx3hESEJ93dri\"", "sl.u.bnGAOZRdkK174CXjmHtpFpW4S7qRqOZCj53dzskkuQpEmadOm5PeFww20eZxT3jzs-RMDr1tzJV_LjiD2RjA17QcpttHtMRo8xQ_leTh_ICvq36KdyNXuuBZoavJ0ijcWuhfxZ6j_TDAWX_M1sk3TTvNLM4Ae2MsU7qfgaS2pY8jsW-mOhUWzuI5jxBVPdGE0oxmmRlUdicIi4moXrWFkEjmuu6hClgE66vK07PBoy1XiwByDXQ5GzO_gJWtVnVLy07XtN-BNhv3xWUlpznrZiQATHB1NHUAx3hESEJ93dri")
        .fp("DROPBOX_ACCESS_TOKEN=sl.xxxxxxxx")
        .fp("import ssl.SSLContext # dropbox client"),
        // gitleaks `contentful-delivery-api-token` and Contentful docs
        // "Personal access tokens": CFPAT- + 43 URL-safe characters.
        prefixed(
            "contentful_token",
            "Contentful personal access token",
            r"\b(?P<value>CFPAT-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
            &["cfpat-"],
            56,
            "CONTENTFUL_TOKEN",
        )
        .tp(
            "CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-DCNC4KaboB7HhF6ytAuhOXuQB5zRKAJdZIyK9DXl4Jt",
            "CFPAT-DCNC4KaboB7HhF6ytAuhOXuQB5zRKAJdZIyK9DXl4Jt",
        )
        .tp("contentful login --management-token CFPAT-IwX9_-0NE3ALccZsDe91ApavqtIQqiv3442CFcqdR7h", "CFPAT-IwX9_-0NE3ALccZsDe91ApavqtIQqiv3442CFcqdR7h")
        .fp("CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-FN6tBYS6qJ9A_8IFgTLo")
        .fp("CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // gitleaks `typeform-api-token`: tfp_ + 59.
        prefixed(
            "typeform_token",
            "Typeform personal access token",
            r"\b(?P<value>tfp_[A-Za-z0-9_.=-]{59})(?:[^A-Za-z0-9_.=-]|$)",
            &["tfp_"],
            72,
            "TYPEFORM_TOKEN",
        )
        .tp("TYPEFORM_TOKEN=tfp_UsQeb6Aw2o6UPga4U91Yo_tOlPdcw3ag_KUr3icadqTjBXLhozvRZ6ggsj3", "tfp_UsQeb6Aw2o6UPga4U91Yo_tOlPdcw3ag_KUr3icadqTjBXLhozvRZ6ggsj3")
        .tp("Authorization: bearer tfp_oUuKgC5DAn_kYWCqaIAh1wd0NOoSUEE9nmX4skovbsYNqiZejirXfWJrv5H", "tfp_oUuKgC5DAn_kYWCqaIAh1wd0NOoSUEE9nmX4skovbsYNqiZejirXfWJrv5H")
        .fp("TYPEFORM_TOKEN=tfp_hSCeUl4QFASgAW2KS8Bv8P5Tpdttiu")
        .fp("tfp_ is the prefix of Typeform tokens"),
        // HubSpot private app access tokens: pat-na1- / pat-eu1- and a
        // UUID (HubSpot developer docs "Private apps"; gitleaks
        // `hubspot-api-key` covers the retired bare-UUID keys by name).
        prefixed(
            "hubspot_token",
            "HubSpot private app token",
            r"\bpat-(?:na|eu|ap)[0-9]-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}\b",
            &["pat-na", "pat-eu", "pat-ap"],
            64,
            "HUBSPOT_TOKEN",
        )
        .tp(
            "HUBSPOT_ACCESS_TOKEN=pat-na1-dab7caf9-dfc6-b784-4305-d09c0c34f807",
            "pat-na1-dab7caf9-dfc6-b784-4305-d09c0c34f807",
        )
        .tp(
            "Authorization: Bearer pat-eu1-8aad5e5a-7b47-bdb9-0ff5-2457f596cae7",
            "pat-eu1-8aad5e5a-7b47-bdb9-0ff5-2457f596cae7",
        )
        .fp("HUBSPOT_ACCESS_TOKEN=pat-na1-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
        .fp("pat-na1- tokens belong to the North American data centre"),
        // gitleaks `algolia-api-key`: 32 alphanumerics after an Algolia
        // word (admin and write keys have no prefix).
        secret(
            "algolia_api_key",
            "Algolia API key",
            Severity::Critical,
            &near_word("algolia", "[a-z0-9]{32}"),
        )
        .keywords(&["algolia"])
        .max_len(128)
        .validator(super::entropy(3.0))
        .label("ALGOLIA_KEY")
        .tp("ALGOLIA_ADMIN_API_KEY=waz9n8a0bu2rgzqwwbkfgrjfkv138la8", "waz9n8a0bu2rgzqwwbkfgrjfkv138la8")
        .tp(
            "const client = algoliasearch('APPID42', '1faa3bd19757b062c807e22013eedb03');",
            "1faa3bd19757b062c807e22013eedb03",
        )
        .fp("ALGOLIA_APP_ID=FAKE42")
        .fp("ALGOLIA_ADMIN_API_KEY=your_algolia_admin_api_key_here"),
        // Mapbox access tokens: secret sk.eyJ… (a JWT-like body then
        // `.` and 22+) always, public pk.eyJ… only with a Mapbox word near
        // (gitleaks `mapbox-api-token`); public tokens are meant for
        // browsers, hence medium.
        prefixed(
            "mapbox_secret_token",
            "Mapbox secret access token",
            r"\bsk\.eyJ[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{20,64}\b",
            &["sk.eyj"],
            480,
            "MAPBOX_TOKEN",
        )
        .tp(
            "MAPBOX_DOWNLOADS_TOKEN=sk.eyJ1IjoiDjtQvYBuSXVVooYqiwYPYpGF1eZnr9oUwyX7j7Yx5PpwksHNo2yUbov2iLmX.Khggtkr3V491ppdQ0R7Jcp",
            "sk.eyJ1IjoiDjtQvYBuSXVVooYqiwYPYpGF1eZnr9oUwyX7j7Yx5PpwksHNo2yUbov2iLmX.Khggtkr3V491ppdQ0R7Jcp",
        )
        .tp(
            "mapbox.access_token = 'sk.eyJ1IjoimQjkJI9dzqGTUc-za_-LqNnr-9dsi2YR5_xelPeTR7UlNIIsPd.T1bZ72aU6TwYlpIq4eV28a'",
            "sk.eyJ1IjoimQjkJI9dzqGTUc-za_-LqNnr-9dsi2YR5_xelPeTR7UlNIIsPd.T1bZ72aU6TwYlpIq4eV28a",
        )
        .fp("MAPBOX_DOWNLOADS_TOKEN=sk.eyJ...")
        .fp("risk.eyJdoc is not a token"),
        secret(
            "mapbox_public_token",
            "Mapbox public access token",
            Severity::Medium,
            &near_word("mapbox", r"pk\.eyJ[A-Za-z0-9_-]{20,400}\.[A-Za-z0-9_-]{20,64}"),
        )
        .keywords(&["mapbox"])
        .max_len(560)
        .validator(super::token_entropy(3.0))
        .label("MAPBOX_TOKEN")
        .tp(
            "mapboxgl.accessToken = 'pk.eyJ1IjoiJXCqXuG_3ryrSJXlfP0cHL8ifOhjo8b_ZxarGA0xtEzp2gSh18fN17_sA7z8.2YkWC9trYmdWuiD3vHjMGW';",
            "pk.eyJ1IjoiJXCqXuG_3ryrSJXlfP0cHL8ifOhjo8b_ZxarGA0xtEzp2gSh18fN17_sA7z8.2YkWC9trYmdWuiD3vHjMGW",
        )
        .tp("MAPBOX_TOKEN=pk.eyJ1Ijoi8UNUDwLDAIKGHT6U59kYzLZ-4olsdkb6IZfc8ZXwLS1RB_FkI1H3XDH_kHr4.75p59FwAzTIUH96hmKdy64", "pk.eyJ1Ijoi8UNUDwLDAIKGHT6U59kYzLZ-4olsdkb6IZfc8ZXwLS1RB_FkI1H3XDH_kHr4.75p59FwAzTIUH96hmKdy64")
        .fp("pk.eyJ1IjoifQRukkqxJyuxpWpceLWS5nGy0EUaj6I9Y7zGsSyO5pp4sUr1RTB6JAWxnlj5.C5z9vz6LaU4qxQrGCKf0Bs")
        .fp("MAPBOX_TOKEN=pk.eyJ..."),
        // Databricks personal access tokens: dapi + 32 hex, optionally
        // `-` and a digit (gitleaks `databricks-api-token`).
        prefixed(
            "databricks_token",
            "Databricks personal access token",
            r"\bdapi[a-f0-9]{32}(?:-[0-9])?\b",
            &["dapi"],
            48,
            "DATABRICKS_TOKEN",
        )
        .tp("DATABRICKS_TOKEN=dapib01dedc854f31073dfaaf9bbe945ee99", "dapib01dedc854f31073dfaaf9bbe945ee99")
        .tp("token = dapi3b0321c70b90bdc1cd0dcc099787654b-2", "dapi3b0321c70b90bdc1cd0dcc099787654b-2")
        .fp("DATABRICKS_TOKEN=dapi03f28807a04d15fdd8d9")
        .fp("stained with DAPI and imaged"),
        // Supabase: management-API access tokens sbp_ + 40 hex (gitleaks
        // has none; Supabase CLI docs), and the 2025 secret API keys
        // sb_secret_ (Supabase docs "API keys").
        prefixed(
            "supabase_token",
            "Supabase access token or secret key",
            r"\b(?P<value>sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,64})(?:[^A-Za-z0-9_-]|$)",
            &["sbp_", "sb_secret_"],
            80,
            "SUPABASE_TOKEN",
        )
        .tp("SUPABASE_ACCESS_TOKEN=sbp_726a47ed7be667882f5d385a9c500095cf2887c1", "sbp_726a47ed7be667882f5d385a9c500095cf2887c1")
        .tp(
            "SUPABASE_SECRET_KEY=sb_secret_mohp12I_oW9LI3FClnB6DBk_kDaAxcy",
            "sb_secret_mohp12I_oW9LI3FClnB6DBk_kDaAxcy",
        )
        .fp("SUPABASE_ACCESS_TOKEN=sbp_7f226e6326acd1a150e0")
        .fp("SUPABASE_PUBLISHABLE_KEY=sb_publishable_z0fkrsjRfbu7KvJxKM9en7nX7ixQfdF"),
        // gitleaks `planetscale-api-token`, `-password`, `-oauth-token`:
        // pscale_tkn_, pscale_pw_, pscale_oauth_ and 32–64.
        prefixed(
            "planetscale_token",
            "PlanetScale token or password",
            r"\b(?P<value>pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_=.-]{32,64})(?:[^A-Za-z0-9_=.-]|$)",
            &["pscale_tkn_", "pscale_pw_", "pscale_oauth_"],
            80,
            "PLANETSCALE_TOKEN",
        )
        .tp("PLANETSCALE_TOKEN=pscale_tkn_czmbt4GHzhMrx6ZtPZH92Lxs16FlK9YWQVVcJkA3Q2J", "pscale_tkn_czmbt4GHzhMrx6ZtPZH92Lxs16FlK9YWQVVcJkA3Q2J")
        .tp(
            "DATABASE_PASSWORD=pscale_pw_-DBcP0bGOkaQ8tUtr30g-8ggUPsJNCPBC4G7GiabSyp",
            "pscale_pw_-DBcP0bGOkaQ8tUtr30g-8ggUPsJNCPBC4G7GiabSyp",
        )
        .fp("PLANETSCALE_TOKEN=pscale_tkn_wxy6vxBrkx")
        .fp("DATABASE_PASSWORD=pscale_pw_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        // HubSpot's retired API keys (and private-app ids) are UUIDs: a
        // HubSpot word must come first (gitleaks `hubspot-api-key`).
        secret(
            "hubspot_api_key",
            "HubSpot API key (named)",
            Severity::Critical,
            &near_word(
                "hubspot",
                "[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
            ),
        )
        .keywords(&["hubspot"])
        .max_len(128)
        .validator(super::entropy(3.0))
        .label("HUBSPOT_TOKEN")
        .tp(
            "const hubspotKey = \"97680149-5780-45dc-d973-4fed26e5c9c1\"",
            "97680149-5780-45dc-d973-4fed26e5c9c1",
        )
        .tp(
            "HUBSPOT_API_KEY=83EFA975-2FC8-E6CC-C6A9-791C10D2B8D4",
            "83EFA975-2FC8-E6CC-C6A9-791C10D2B8D4",
        )
        .fp("HUBSPOT_API_KEY=00000000-0000-0000-0000-000000000000")
        .fp("HUBSPOT_PORTAL_ID=1234567"),
        // Dropbox app secrets (15) and long-lived tokens (11 + ten `A` +
        // 43) after a Dropbox word (gitleaks `dropbox-api-token`,
        // `dropbox-long-lived-api-token`); a word of letters only
        // ("Dropbox synchronization") is not a secret.
        secret(
            "dropbox_named_token",
            "Dropbox app secret or long-lived token (named)",
            Severity::Critical,
            &near_word(
                "dropbox",
                "[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}|[A-Za-z0-9]{15}",
            ),
        )
        .keywords(&["dropbox"])
        .max_len(160)
        .validator(super::entropy(3.0))
        .allow_patterns(&["[A-Za-z]+"])
        .label("DROPBOX_TOKEN")
        .tp("DROPBOX_APP_SECRET=cwixn0t4akv8hfo", "cwixn0t4akv8hfo")
        .tp(
            "dropbox_token: zc9o2my8bjgAAAAAAAAAAnrcXrVfPMHjHJkuI0kv24syycPg36kmY7kGZe4t-YJO",
            "zc9o2my8bjgAAAAAAAAAAnrcXrVfPMHjHJkuI0kv24syycPg36kmY7kGZe4t-YJO",
        )
        .fp("Dropbox synchronization finished")
        .fp("DROPBOX_APP_KEY=<your-app-key>"),
        // Asana OAuth client secrets: 32 alphanumerics after an Asana word
        // (gitleaks `asana-client-secret`).
        secret(
            "asana_client_secret",
            "Asana client secret (named)",
            Severity::Critical,
            &near_word("asana", "[A-Za-z0-9]{32}"),
        )
        .keywords(&["asana"])
        .max_len(128)
        .validator(super::entropy(3.5))
        .allow_patterns(&["[A-Za-z]+"])
        .label("ASANA_TOKEN")
        .tp("ASANA_CLIENT_SECRET=lrLoPWnudyP9ItZfifmvEYzbRJFzMj80", "lrLoPWnudyP9ItZfifmvEYzbRJFzMj80")
        .tp("asana_secret: 'm7t5m3slm1x3tcwg3dui0jti0jnz9ih4'", "m7t5m3slm1x3tcwg3dui0jti0jnz9ih4")
        .fp("ASANA_CLIENT_SECRET=your_asana_client_secret_goes_here")
        .fp("ASANA_WORKSPACE_ID=9104606071705499"),
        // Okta API tokens: `00` and 40 URL-safe characters (gitleaks
        // `okta-access-token`); `00…` is too plain to take alone, so an
        // Okta word must come first.
        secret(
            "okta_api_token",
            "Okta API token",
            Severity::Critical,
            &near_word("okta", "00[A-Za-z0-9_-]{40}"),
        )
        .keywords(&["okta"])
        .max_len(128)
        .validator(super::entropy(3.0))
        .label("OKTA_TOKEN")
        .tp("OKTA_API_TOKEN=00Qx7FAKEk9Lm2Rt5vWp8Zc3Ny6Bd1Hf4Gj0Ks_Ta9", "00Qx7FAKEk9Lm2Rt5vWp8Zc3Ny6Bd1Hf4Gj0Ks_Ta9")
        .tp(
            "okta_client = OktaClient({'orgUrl': ORG, 'token': '00aB3dE5gH7jK9mN1pQ3sT5vX7zTestOnly2cE4gI6'})",
            "00aB3dE5gH7jK9mN1pQ3sT5vX7zTestOnly2cE4gI6",
        )
        .fp("OKTA_API_TOKEN=00xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("okta org 0000000000000000000000000000000000000000000"),
        // Klaviyo private API keys: `pk_` and 34 lower-case alphanumerics
        // (Klaviyo developer docs "Authenticate API requests"; trufflehog
        // `klaviyo`). Stripe's publishable `pk_live_…` has an inner `_`
        // and is not matched.
        prefixed(
            "klaviyo_private_key",
            "Klaviyo private API key",
            r"\bpk_[a-z0-9]{34}\b",
            &["pk_"],
            40,
            "KLAVIYO_KEY",
        )
        .tp("KLAVIYO_PRIVATE_KEY=pk_qumpmhs49pj96arb5lm6ylvuhf9q84nome", "pk_qumpmhs49pj96arb5lm6ylvuhf9q84nome")
        .tp(
            "curl -H 'Authorization: Klaviyo-API-Key pk_fm928egnvfg3f8gr29hw7dz7po4ziyacd5' https://a.klaviyo.com/api/profiles/",
            "pk_fm928egnvfg3f8gr29hw7dz7po4ziyacd5",
        )
        .fp("KLAVIYO_PRIVATE_KEY=pk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
        .fp("pk_live_FAKEexample3AHOVcjqx4BIPWd is a publishable key"),
        // OneSignal REST API keys since 2024 ("Rich Authentication"):
        // `os_v2_app_` and a long lower-case base32 body (OneSignal docs
        // "Keys & IDs").
        prefixed(
            "onesignal_api_key",
            "OneSignal REST API key",
            r"\bos_v2_(?:app|org)_[a-z0-9]{40,120}\b",
            &["os_v2_app_", "os_v2_org_"],
            140,
            "ONESIGNAL_KEY",
        )
        .tp(
            "ONESIGNAL_REST_API_KEY=os_v2_app_gntvv1m66wnqwokwjq72st5pg4erslas01771zg28w45ykyy91qbts26",
            "os_v2_app_gntvv1m66wnqwokwjq72st5pg4erslas01771zg28w45ykyy91qbts26",
        )
        .tp(
            "curl -H 'Authorization: Key os_v2_app_2beyvxrhwwjh2jkd5svwfqilv1b4g61omc4g1bfbdw53rz8em6x7ockl' https://api.onesignal.com/notifications",
            "os_v2_app_2beyvxrhwwjh2jkd5svwfqilv1b4g61omc4g1bfbdw53rz8em6x7ockl",
        )
        .fp("ONESIGNAL_REST_API_KEY=os_v2_app_<key>")
        .fp("os_v2_app_ keys replace the legacy REST API key"),
    ]
}
