//! What the database knows about one name: the entry or pattern it resolves to, its
//! waits under every profile, aliases, rating, rules, reason, sources and look-alikes,
//! or the close matches when it is unknown. `aftercare explain` prints it and
//! `/api/explain` serialises it.

use serde::Serialize;

use crate::assess::Checker;
use crate::db::{Profile, Wait};
use crate::matcher::{How, Target};
use crate::normalize::word_key;

/// The answer for one name.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Explanation {
    Known(Box<Known>),
    Unknown(Unknown),
}

#[derive(Debug, Clone, Serialize)]
pub struct Known {
    pub query: String,
    pub name: String,
    pub matched_by: How,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    pub category: String,
    pub category_label: Option<String>,
    pub wait_hours: ProfileWaits,
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comedogenic: Option<crate::db::Rating>,
    pub rules: String,
    pub reason: String,
    pub sources: Vec<Source>,
    pub lookalikes: Vec<crate::db::Lookalike>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defined_at: Option<String>,
}

/// Waits per profile: hours, `"avoid"`, or null when the category imposes none.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileWaits {
    pub light: serde_json::Value,
    pub standard: serde_json::Value,
    pub deep: serde_json::Value,
}

impl ProfileWaits {
    /// `light 72 h, standard 168 h, deep 336 h`.
    pub fn describe(&self) -> String {
        [
            ("light", &self.light),
            ("standard", &self.standard),
            ("deep", &self.deep),
        ]
        .iter()
        .map(|(p, v)| match v {
            serde_json::Value::Number(h) => format!("{p} {h} h"),
            serde_json::Value::String(s) => format!("{p} {s}"),
            _ => format!("{p} none"),
        })
        .collect::<Vec<_>>()
        .join(", ")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub id: String,
    pub citation: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unknown {
    pub error: String,
    pub close_matches: Vec<String>,
}

/// Explains one name as a label prints it.
pub fn explain(checker: &Checker, name: &str) -> Explanation {
    let db = checker.db();
    let m = checker.matcher();
    let r = m.resolve(name);
    let waits = |category: &str| {
        let one = |p: Profile| match db.category(category).and_then(|c| c.wait(p)) {
            Some(Wait::Hours(h)) => serde_json::json!(h),
            Some(Wait::Avoid) => serde_json::json!("avoid"),
            None => serde_json::Value::Null,
        };
        ProfileWaits {
            light: one(Profile::Light),
            standard: one(Profile::Standard),
            deep: one(Profile::Deep),
        }
    };
    let label = |category: &str| db.category(category).map(|c| c.label.clone());
    fn sources<S: AsRef<str>>(db: &crate::db::Database, ids: &[S]) -> Vec<Source> {
        ids.iter()
            .map(|s| Source {
                id: s.as_ref().to_string(),
                citation: db.sources.get(s.as_ref()).cloned(),
            })
            .collect()
    }
    match r.target {
        Target::Entry(i) => {
            let e = m.entry(i);
            let key = word_key(&e.name);
            Explanation::Known(Box::new(Known {
                query: name.to_string(),
                name: e.name.to_string(),
                matched_by: r.how,
                pattern: None,
                category: e.category.to_string(),
                category_label: label(&e.category),
                wait_hours: waits(&e.category),
                aliases: e.aliases.iter().map(|a| a.to_string()).collect(),
                comedogenic: e.comedogenic,
                rules: e.flags.to_cell(),
                reason: e.reason.to_string(),
                sources: sources(db, &e.sources().collect::<Vec<_>>()),
                lookalikes: db
                    .lookalikes
                    .iter()
                    .filter(|l| word_key(&l.name) == key || word_key(&l.resembles) == key)
                    .cloned()
                    .collect(),
                defined_at: Some(e.origin.to_string()),
            }))
        }
        Target::Pattern(p) => {
            let pat = m.pattern(p);
            Explanation::Known(Box::new(Known {
                query: name.to_string(),
                name: name.to_string(),
                matched_by: r.how,
                pattern: Some(pat.id.to_string()),
                category: pat.category.to_string(),
                category_label: label(&pat.category),
                wait_hours: waits(&pat.category),
                aliases: Vec::new(),
                comedogenic: None,
                rules: pat.flags.to_cell(),
                reason: pat.reason.to_string(),
                sources: sources(db, &pat.source),
                lookalikes: Vec::new(),
                defined_at: None,
            }))
        }
        Target::Unrecognized => {
            let mut close: Vec<String> = Vec::new();
            if let Some(s) = r.suggestion {
                close.push(m.entry(s).name.to_string());
            }
            for i in m.search(name).into_iter().take(5) {
                let n = m.entry(i).name.to_string();
                if !close.contains(&n) {
                    close.push(n);
                }
            }
            Explanation::Unknown(Unknown {
                error: format!("`{name}` is not in the database"),
                close_matches: close,
            })
        }
    }
}
