//! The `synchronizationSecretKeyStringValuePair`s of cross-tenant synchronization, read one
//! pair at a time into [`Credentials`]: the credentials of `validateCredentials` and the
//! secrets of `PUT .../synchronization/secrets` as `mtosim serve` reads them
//! (`request_sync`), and a saved secrets body as the import reads it (`import::sync`).
//!
//! Both read `CompanyId`, `SyncAll` and `SyncNotificationSettings` (`DeleteThresholdEnabled`
//! and `DeleteThresholdValue` in a JSON string) alike, and differ on purpose ([`Pairs`]): the
//! server refuses a key or a setting it does not model, the import ignores it. Each caller
//! walks its own JSON (with its own wording for a wrong shape) and places a [`PairProblem`] at
//! the pair's key or value.

use crate::request::kind;
use mtosim_engine::Guid;
use serde_json::Value;

/// The credentials of `validateCredentials` and the secrets of `PUT .../secrets`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// `CompanyId`: the target tenant id.
    pub company_id: Option<String>,
    /// `SyncAll`: "Sync all users and groups".
    pub sync_all: Option<bool>,
    /// `SyncNotificationSettings`' `DeleteThresholdEnabled`.
    pub delete_threshold_enabled: Option<bool>,
    /// `SyncNotificationSettings`' `DeleteThresholdValue`.
    pub delete_threshold_value: Option<u32>,
}

/// Which list of pairs is read, and so how strictly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pairs {
    /// `validateCredentials`' `credentials`: `CompanyId` and `AuthenticationType`
    /// (`SyncPolicy`); any other key is refused.
    Credentials,
    /// The secrets of `PUT .../secrets`: `SyncAll` and `SyncNotificationSettings` too; any
    /// other key, or a notification setting not modelled, is refused.
    Secrets,
    /// A saved secrets body being imported: the keys of [`Pairs::Secrets`], read leniently
    /// (`CompanyId` is looked up among the imported tenants later, `SyncAll` is true or not);
    /// keys and notification settings the simulation does not model change nothing and are
    /// ignored.
    Imported,
}

/// What is wrong with one pair: at its `"key"` or its `"value"`.
#[derive(Debug)]
pub(crate) struct PairProblem {
    /// `"key"` or `"value"`.
    pub(crate) at: &'static str,
    /// One sentence, without the path.
    pub(crate) message: String,
}

fn at_value(message: impl Into<String>) -> PairProblem {
    PairProblem {
        at: "value",
        message: message.into(),
    }
}

impl Credentials {
    /// Reads the pair `key`, `value` (a null value is `""`) into `self`, as `pairs` says; a
    /// later pair of a key overrides an earlier one.
    pub(crate) fn read_pair(&mut self, key: &str, value: &str, pairs: Pairs) -> Result<(), PairProblem> {
        let strict = pairs != Pairs::Imported;
        let secrets = pairs != Pairs::Credentials;
        match key {
            "CompanyId" => {
                if strict && Guid::parse(value.trim()).is_none() {
                    return Err(at_value(format!(
                        "CompanyId must be the target tenant id, a GUID, not '{value}'"
                    )));
                }
                self.company_id = Some(value.trim().to_string());
            }
            "SyncAll" if secrets => {
                self.sync_all = Some(match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ if !strict => false,
                    _ => {
                        return Err(at_value(format!(
                            "SyncAll must be \"true\" or \"false\", not '{value}'"
                        )))
                    }
                });
            }
            "SyncNotificationSettings" if secrets => {
                (self.delete_threshold_enabled, self.delete_threshold_value) =
                    notification_settings(value, strict).map_err(at_value)?;
            }
            _ if !strict => {} // other secrets change nothing the simulation models
            "AuthenticationType" if value == "SyncPolicy" => {}
            "AuthenticationType" => {
                return Err(at_value(format!("The authentication type '{value}' is not supported by this simulated Graph; cross-tenant synchronization authenticates with 'SyncPolicy' (the cross-tenant synchronization policy)")));
            }
            _ => {
                return Err(PairProblem {
                    at: "key",
                    message: format!("The key '{key}' is not supported by this simulated Graph here; it reads CompanyId, AuthenticationType{}", if secrets { ", SyncAll and SyncNotificationSettings" } else { "" }),
                });
            }
        }
        Ok(())
    }
}

/// `SyncNotificationSettings`, a JSON object in a string: its `DeleteThresholdEnabled` and
/// `DeleteThresholdValue` (a positive whole number), for the caller to compare with or give
/// the configuration's threshold. Read strictly, notification e-mails are not modelled (only
/// `Enabled: false`), `HumanResourcesLookaheadQueryEnabled` only false, and the settings must be
/// an object of booleans; read leniently, nothing but the threshold is looked at (a
/// `DeleteThresholdEnabled` that is not a boolean is none, a null `DeleteThresholdValue` too).
fn notification_settings(value: &str, strict: bool) -> Result<(Option<bool>, Option<u32>), String> {
    let v: Value = serde_json::from_str(value).map_err(|e| {
        let must = if strict { "must be" } else { "is" };
        format!("SyncNotificationSettings {must} a JSON object in a string ({e})")
    })?;
    let o = match &v {
        Value::Object(o) => o,
        _ if !strict => return Ok((None, None)),
        other => return Err(format!("The value must be an object, not {}", kind(other))),
    };
    let (mut threshold, mut count) = (None, None);
    for (k, x) in o {
        if k == "DeleteThresholdValue" {
            if !strict && x.is_null() {
                continue;
            }
            let n = x.as_u64().filter(|&n| (1..=u32::MAX as u64).contains(&n));
            count = Some(n.ok_or_else(|| {
                let whose = if strict { "SyncNotificationSettings' " } else { "" };
                format!("{whose}DeleteThresholdValue must be a positive whole number")
            })? as u32);
            continue;
        }
        if !strict {
            if k == "DeleteThresholdEnabled" {
                threshold = x.as_bool();
            }
            continue;
        }
        let on = x
            .as_bool()
            .ok_or_else(|| format!("SyncNotificationSettings' {k} must be a boolean"))?;
        match k.as_str() {
            "DeleteThresholdEnabled" => threshold = Some(on),
            "Enabled" | "HumanResourcesLookaheadQueryEnabled" if !on => {}
            _ => {
                return Err(format!("SyncNotificationSettings' {k} = {on} is not supported by this simulated Graph (notification e-mails are not modelled); only false is accepted"));
            }
        }
    }
    Ok((threshold, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: Pairs, kvs: &[(&str, &str)]) -> Result<Credentials, PairProblem> {
        let mut c = Credentials::default();
        for (k, v) in kvs {
            c.read_pair(k, v, pairs)?;
        }
        Ok(c)
    }

    #[test]
    fn the_server_refuses_what_the_import_ignores() {
        let kvs = [
            ("CompanyId", " 4a12efe6-aa14-4d03-8dff-88fc89e2e2ad "),
            ("AuthenticationType", "OAuth2"),
            ("SyncAll", "TRUE"),
            (
                "SyncNotificationSettings",
                r#"{"Enabled": true, "DeleteThresholdEnabled": true, "DeleteThresholdValue": 5}"#,
            ),
            ("Unmodelled", "x"),
        ];
        let c = read(Pairs::Imported, &kvs).unwrap();
        assert_eq!(
            c.company_id.as_deref(),
            Some("4a12efe6-aa14-4d03-8dff-88fc89e2e2ad")
        );
        assert_eq!(c.sync_all, Some(true));
        assert_eq!(
            (c.delete_threshold_enabled, c.delete_threshold_value),
            (Some(true), Some(5))
        );
        let e = read(Pairs::Secrets, &kvs).unwrap_err();
        assert_eq!(e.at, "value");
        assert!(e.message.contains("'OAuth2'"), "{}", e.message);
        let e = read(Pairs::Secrets, &kvs[3..4]).unwrap_err();
        assert!(e.message.contains("Enabled = true"), "{}", e.message);
        let e = read(Pairs::Credentials, &kvs[2..3]).unwrap_err();
        assert_eq!(e.at, "key");
        let e = read(
            Pairs::Imported,
            &[("SyncNotificationSettings", r#"{"DeleteThresholdValue": 0}"#)],
        )
        .unwrap_err();
        assert_eq!(e.message, "DeleteThresholdValue must be a positive whole number");
    }
}
