//! Social platforms: Meta (Facebook and Instagram) Graph API user and page
//! tokens and X (Twitter) app-only bearer tokens, each by the fixed start
//! its platform gives every token.

use super::prefixed;
use crate::dlp::RuleSpec;

/// This group's rules.
pub(super) fn rules() -> Vec<RuleSpec> {
    vec![
        // Meta Graph API access tokens (user, page, app and system-user tokens)
        // start `EAA`; gitleaks `facebook-page-access-token` takes 100+
        // alphanumerics after `EAA[MC]`, and tokens with other fourth letters
        // (`EAAB`, `EAAG`, `EAAJ`) are as common, so any is taken. Square's `EAAA`
        // tokens are 64 long and stay Square's.
        prefixed(
            "facebook_access_token",
            "Meta (Facebook) Graph API access token",
            r"\bEAA[A-Za-z0-9]{100,300}\b",
            &["eaa"],
            320,
            "FACEBOOK_TOKEN",
        )
        .tp(
            "FB_PAGE_ACCESS_TOKEN=EAAGibNyyurlGFb0EkjKWREhbiGjlvhkTp3SKQOo6Cd6rvau5kHvRwMzzuVtYkwMJFrCfZ4U2EqkNk6sEr6f4gUy0BQ8DEoFogNCAI3Ao3pxTnHyFAKEf6t5YdIngBaVbVJBMQKnY8qS0BFn7BwpkZ01BZGaG7yOh3FZ",
            "EAAGibNyyurlGFb0EkjKWREhbiGjlvhkTp3SKQOo6Cd6rvau5kHvRwMzzuVtYkwMJFrCfZ4U2EqkNk6sEr6f4gUy0BQ8DEoFogNCAI3Ao3pxTnHyFAKEf6t5YdIngBaVbVJBMQKnY8qS0BFn7BwpkZ01BZGaG7yOh3FZ",
        )
        .tp(
            "graph.facebook.com/v19.0/me?access_token=EAAJoDxQshIISj3bb5642ldGDinouxZjugnDD57Nb5srpS9wg1QlRRLiiRejeKx0gbVC3lrAmSJ2km14IKCzi2Eg3h0p54qGzTYdXt5yN84Bl3WWWqWibY6PFcv7DJzk3i8ju6BRoQowFgsH9R1YpX4nVrRtdVlC1fTestOnlyDBUiTue7fiPgpo&fields=id",
            "EAAJoDxQshIISj3bb5642ldGDinouxZjugnDD57Nb5srpS9wg1QlRRLiiRejeKx0gbVC3lrAmSJ2km14IKCzi2Eg3h0p54qGzTYdXt5yN84Bl3WWWqWibY6PFcv7DJzk3i8ju6BRoQowFgsH9R1YpX4nVrRtdVlC1fTestOnlyDBUiTue7fiPgpo",
        )
        .fp("FB_PAGE_ACCESS_TOKEN=EAAB...")
        .fp("EAAJxxxxxxxxxxxxxxxxxxxx is too short to be a token"),
        // Instagram Basic Display user tokens start `IGQV` and Instagram API
        // (Instagram Login) tokens `IGAA` (Meta developer docs, token examples);
        // 100+ URL-safe characters follow.
        prefixed(
            "instagram_access_token",
            "Instagram user access token",
            r"\bIG(?:QV|AA)[A-Za-z0-9_-]{100,400}",
            &["igqv", "igaa"],
            420,
            "INSTAGRAM_TOKEN",
        )
        .tp(
            "INSTAGRAM_ACCESS_TOKEN=IGQVJaP_c0YsHh47lft6zNHIA33NbEI3p85cRbGIEVFAKE45gO-V_RrwlIM5dcJjWpwIqulpwIKak99neEC7C6JYMiznF6ytTBURaHyx49wQOmCb5k5pbS2Sd6CRSH2D6oqM79-O36jKkv-0GhTnrU_D4J1_pmHdNZ1INU9z4mgYake",
            "IGQVJaP_c0YsHh47lft6zNHIA33NbEI3p85cRbGIEVFAKE45gO-V_RrwlIM5dcJjWpwIqulpwIKak99neEC7C6JYMiznF6ytTBURaHyx49wQOmCb5k5pbS2Sd6CRSH2D6oqM79-O36jKkv-0GhTnrU_D4J1_pmHdNZ1INU9z4mgYake",
        )
        .tp(
            "curl 'https://graph.instagram.com/me?fields=id,username&access_token=IGAABSDv2iFeuS0HOkJ9C1hnsSSIIpeUxT0uRcm0EA6Gk8htj-wf0gZpc5RIpGuK0Q-Ye6UamnabfIoGCo16wEn4XR2ayVcLCrR9QCrfLmncsIGv44Lgs_grN8GoVxR7cI6M3TestOnly8cVn8hocuiTQf'",
            "IGAABSDv2iFeuS0HOkJ9C1hnsSSIIpeUxT0uRcm0EA6Gk8htj-wf0gZpc5RIpGuK0Q-Ye6UamnabfIoGCo16wEn4XR2ayVcLCrR9QCrfLmncsIGv44Lgs_grN8GoVxR7cI6M3TestOnly8cVn8hocuiTQf",
        )
        .fp("INSTAGRAM_ACCESS_TOKEN=IGQVJ...")
        .fp("IGAA tokens are long-lived for 60 days"),
        // X (Twitter) API v2 app-only bearer tokens: 22 `A` then 80-100 characters
        // of letters, digits and `%` escapes (gitleaks `twitter-bearer-token`).
        prefixed(
            "twitter_bearer_token",
            "X (Twitter) app-only bearer token",
            r"\bA{22}[A-Za-z0-9%]{80,120}",
            &["aaaaaaaaaaaaaaaaaaaaaa"],
            160,
            "TWITTER_TOKEN",
        )
        .tp(
            "TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAAAdkelEufoFAKEv57Q8nuwAYCY6U15Mg6scc7usQ9kIUKYSqtV7dFzSMu6SWoU%3DnvNPsJZKDIerMwDz1KVBz8Q1wSNrO1e0bNhLYoOP",
            "AAAAAAAAAAAAAAAAAAAAAAdkelEufoFAKEv57Q8nuwAYCY6U15Mg6scc7usQ9kIUKYSqtV7dFzSMu6SWoU%3DnvNPsJZKDIerMwDz1KVBz8Q1wSNrO1e0bNhLYoOP",
        )
        .tp(
            "curl -H \"Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAez8gcG6VO0T6aEa60jbXjIanttFaymbA5t0BQ09E4qs3GuFMV8IpapLxcADpNjEcTE%KTestOnlypJTdjjuneImWG7\" https://api.x.com/2/tweets/20",
            "AAAAAAAAAAAAAAAAAAAAAAez8gcG6VO0T6aEa60jbXjIanttFaymbA5t0BQ09E4qs3GuFMV8IpapLxcADpNjEcTE%KTestOnlypJTdjjuneImWG7",
        )
        .fp("TWITTER_BEARER_TOKEN=AAAAAAAAAAAAAAAAAAAAA...")
        .fp("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    ]
}
