//! Reading Graph JSON as exports save it: bytes in UTF-8 (with or without a byte-order mark,
//! as PowerShell 7 writes) or UTF-16 with a byte-order mark (Windows PowerShell 5.1's
//! `Out-File`), property names looked up case-insensitively as Graph matches them, collections
//! as one page (`value`, with `@odata.nextLink` when more pages exist) or a bare array, and
//! every problem placed by file and JSON path (`$.value[3].userPrincipalName`). Properties the
//! import does not read are counted per file and name, to be reported once each.

use crate::request::kind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A problem in an input file: the file as the user named it, the JSON path, and what is
/// wrong (an error stops the import; a warning is reported and the import goes on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// The JSON path (`$` for the whole file).
    pub path: String,
    /// What is wrong, or what the import did about it.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at {}: {}", self.file, self.path, self.message)
    }
}

/// Decodes a file's bytes into text: UTF-8 (a byte-order mark dropped) or UTF-16 LE/BE with
/// its byte-order mark.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, Problem> {
    let bad = |m: String| Problem {
        file: file.to_string(),
        path: "$".to_string(),
        message: m,
    };
    let utf16 = |le: bool| -> Result<String, Problem> {
        let body = &bytes[2..];
        if !body.len().is_multiple_of(2) {
            return Err(bad("the file is UTF-16 but has an odd number of bytes".into()));
        }
        let units = body.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| bad(format!("the file is not valid UTF-16: {e}")))
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => {
            let b = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            String::from_utf8(b.to_vec()).map_err(|e| {
                bad(format!(
                    "the file is not UTF-8 (nor UTF-16 with a byte-order mark): invalid byte at offset {}",
                    e.utf8_error().valid_up_to()
                ))
            })
        }
    }
}

/// Parses a file's text as JSON, or says where it stops being JSON.
pub fn parse(file: &str, text: &str) -> Result<Value, Problem> {
    serde_json::from_str(text).map_err(|e| Problem {
        file: file.to_string(),
        path: "$".to_string(),
        message: format!("this is not JSON: {e}; save the response body of the Graph call as it came"),
    })
}

/// Properties seen in one file that the import does not read: (name, objects), by name.
#[derive(Debug, Default)]
pub struct Unread(BTreeMap<String, usize>);

impl Unread {
    /// One warning per property name, in name order.
    pub fn warnings(&self, file: &str, what: &str) -> Vec<Problem> {
        self.0
            .iter()
            .map(|(name, n)| Problem {
                file: file.to_string(),
                path: format!("$..{name}"),
                message: format!(
                    "property \"{name}\" of {n} {what}{} is not read by mtosim (ignored)",
                    if *n == 1 { "" } else { "s" }
                ),
            })
            .collect()
    }
}

/// An object of a file, with its path, read property by property.
pub struct Obj<'a> {
    /// The file.
    pub file: &'a str,
    /// The object's JSON path.
    pub path: String,
    map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    /// `v` as an object at `path`, or a wrong-shape error.
    pub fn new(file: &'a str, path: String, v: &'a Value) -> Result<Obj<'a>, Problem> {
        match v {
            Value::Object(map) => Ok(Obj { file, path, map }),
            other => Err(Problem {
                file: file.to_string(),
                path,
                message: format!("expected a JSON object, found {}", kind(other)),
            }),
        }
    }

    /// A problem at property `name` of this object.
    pub fn err(&self, name: &str, message: impl Into<String>) -> Problem {
        Problem {
            file: self.file.to_string(),
            path: format!("{}.{name}", self.path),
            message: message.into(),
        }
    }

    /// Property `name`, its letter case ignored (`None` when absent).
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).or_else(|| {
            self.map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
    }

    /// Property `name` as a string; null or absent is `None`.
    pub fn str(&self, name: &str) -> Result<Option<&'a str>, Problem> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.err(name, format!("expected a string, found {}", kind(other)))),
        }
    }

    /// Property `name` as a string that must be present.
    pub fn req_str(&self, name: &str) -> Result<&'a str, Problem> {
        self.str(name)?
            .ok_or_else(|| self.err(name, format!("\"{name}\" is missing")))
    }

    /// Property `name` as a boolean; null or absent is `None`.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, Problem> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.err(name, format!("expected true or false, found {}", kind(other)))),
        }
    }

    /// Property `name` as an object; null or absent is `None`.
    pub fn obj(&self, name: &str) -> Result<Option<Obj<'a>>, Problem> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => Obj::new(self.file, format!("{}.{name}", self.path), v).map(Some),
        }
    }

    /// Property `name` as an array; null or absent is empty.
    pub fn arr(&self, name: &str) -> Result<&'a [Value], Problem> {
        match self.get(name) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(self.err(name, format!("expected an array, found {}", kind(other)))),
        }
    }

    /// Property `name` as an array of strings.
    pub fn strs(&self, name: &str) -> Result<Vec<&'a str>, Problem> {
        self.arr(name)?
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.as_str()),
                other => Err(self.err(
                    &format!("{name}[{i}]"),
                    format!("expected a string, found {}", kind(other)),
                )),
            })
            .collect()
    }

    /// Counts the properties not in `known` that hold a value (letter case ignored; a null or
    /// an empty array says nothing, OData annotations and `known` entries ending in `*` as prefixes are read).
    pub fn count_unread(&self, known: &[&str], into: &mut Unread) {
        for (k, v) in self.map {
            let read = v.is_null()
                || v.as_array().is_some_and(Vec::is_empty)
                || k.starts_with('@')
                || k.contains("@odata.")
                || known.iter().any(|n| match n.strip_suffix('*') {
                    Some(prefix) => k.len() >= prefix.len() && k[..prefix.len()].eq_ignore_ascii_case(prefix),
                    None => n.eq_ignore_ascii_case(k),
                });
            if !read {
                *into.0.entry(k.clone()).or_default() += 1;
            }
        }
    }
}

/// The objects of one collection page: `{"value": [...]}` (with its `@odata.nextLink`, if
/// any) or a bare array. Returns the items and the next link.
pub fn page<'a>(file: &str, v: &'a Value) -> Result<(&'a [Value], Option<&'a str>), Problem> {
    let wrong = |found: &str| Problem {
        file: file.to_string(),
        path: "$".to_string(),
        message: format!("expected a Graph collection ({{\"value\": [...]}}) or an array, found {found}"),
    };
    match v {
        Value::Array(a) => Ok((a, None)),
        Value::Object(map) => {
            let next = map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("@odata.nextLink"))
                .and_then(|(_, v)| v.as_str());
            let value = map.get("value").or_else(|| {
                map.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("value"))
                    .map(|(_, v)| v)
            });
            match value {
                Some(Value::Array(a)) => Ok((a, next)),
                Some(other) => Err(Problem {
                    file: file.to_string(),
                    path: "$.value".to_string(),
                    message: format!("expected an array, found {}", kind(other)),
                }),
                None => Err(wrong("an object without \"value\"")),
            }
        }
        other => Err(wrong(kind(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_and_utf16_le_and_be_decode_alike() {
        let text = "{\"a\": \"é\"}\r\n";
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend(text.as_bytes());
        for bytes in [text.as_bytes().to_vec(), bom, le, be] {
            assert_eq!(decode("f", &bytes).unwrap(), text);
        }
        assert!(decode("f", &[0xFF, 0xFE, 0x41]).is_err(), "odd UTF-16");
        assert!(decode("f", &[0xC3]).is_err(), "truncated UTF-8");
    }

    #[test]
    fn properties_are_found_whatever_their_case_and_unread_ones_are_counted() {
        let v: Value =
            serde_json::from_str(r#"{"UserPrincipalName": "a@b.com", "extra": 1, "@odata.type": "x"}"#)
                .unwrap();
        let o = Obj::new("f", "$".into(), &v).unwrap();
        assert_eq!(o.str("userPrincipalName").unwrap(), Some("a@b.com"));
        assert_eq!(o.bool("accountEnabled").unwrap(), None);
        let e = o.bool("userPrincipalName").unwrap_err();
        assert_eq!(e.path, "$.userPrincipalName");
        let mut unread = Unread::default();
        o.count_unread(&["userPrincipalName"], &mut unread);
        let w = unread.warnings("f", "user");
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("\"extra\" of 1 user "), "{}", w[0].message);
    }

    #[test]
    fn pages_and_bare_arrays_are_collections_and_other_shapes_are_not() {
        let v: Value = serde_json::from_str(r#"{"value": [1], "@odata.nextLink": "https://x"}"#).unwrap();
        let (items, next) = page("f", &v).unwrap();
        assert_eq!((items.len(), next), (1, Some("https://x")));
        let v: Value = serde_json::from_str("[1, 2]").unwrap();
        assert_eq!(page("f", &v).unwrap().0.len(), 2);
        for bad in [r#"{"values": []}"#, "3", r#"{"value": {}}"#] {
            let v: Value = serde_json::from_str(bad).unwrap();
            assert!(page("f", &v).is_err(), "{bad}");
        }
        assert_eq!(parse("f", "{").unwrap_err().path, "$");
    }
}
