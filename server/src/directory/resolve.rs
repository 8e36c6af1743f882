//! Place names as people write them, mapped to the directory's communes: a current commune by
//! code or name ("Xã Văn Quan", "van quan"), or an old one from before the 2025 reform by name
//! and, where it helps, district ("Xã Quang Trung, huyện Trùng Khánh"), through the legacy table.
//! An old commune split among several new ones gives them all, for the user to pick.

use rusqlite::Connection;
use shared::api::PlaceMatch;
use shared::text::fold;
use uuid::Uuid;

use crate::error::ApiError;

/// The words that name a unit's type, dropped when comparing names.
const TYPE_WORDS: [&str; 12] = [
    "thi tran ",
    "tt ",
    "p ",
    "x ",
    "dac khu ",
    "thanh pho ",
    "thi xa ",
    "phuong ",
    "huyen ",
    "quan ",
    "xa ",
    "tp ",
];

/// A name folded (accents, case), punctuation made spaces.
fn full(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    fold(&cleaned)
}

/// A name folded, punctuation made spaces, the type word dropped.
pub fn bare(name: &str) -> String {
    let folded = full(name);
    TYPE_WORDS
        .iter()
        .find_map(|word| folded.strip_prefix(word))
        .unwrap_or(&folded)
        .to_string()
}

struct Current {
    id: Uuid,
    code: String,
    name: String,
    full: String,
    bare: String,
}

struct Former {
    name: String,
    district: String,
    full: String,
    bare: String,
    district_bare: String,
    successors: Vec<Uuid>,
}

/// The communes of the directory and the old ones, loaded once per request or import.
pub struct Places {
    current: Vec<Current>,
    former: Vec<Former>,
}

impl Places {
    pub fn load(connection: &Connection) -> Result<Places, ApiError> {
        let mut statement = connection.prepare_cached(
            "SELECT id, code, name FROM areas WHERE level = 'commune' AND active ORDER BY code",
        )?;
        let current = statement
            .query_map([], |row| {
                let name: String = row.get(2)?;
                Ok(Current {
                    id: row.get(0)?,
                    code: row.get(1)?,
                    full: full(&name),
                    bare: bare(&name),
                    name,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut statement = connection.prepare_cached(
            "SELECT name, district_name, successors FROM legacy_communes ORDER BY code",
        )?;
        let former = statement
            .query_map([], |row| {
                let name: String = row.get(0)?;
                let district: String = row.get(1)?;
                let successors: String = row.get(2)?;
                Ok(Former {
                    full: full(&name),
                    bare: bare(&name),
                    district_bare: bare(&district),
                    successors: successors
                        .split(' ')
                        .filter_map(|id| Uuid::parse_str(id).ok())
                        .collect(),
                    name,
                    district,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Places { current, former })
    }

    /// The communes a text may mean: none (unknown), one, or several to choose from. Tried in
    /// turn: a current code; the full name (type word included) of a current commune, then of an
    /// old one; the name without its type word, current then old. A district after a comma
    /// narrows the old communes and says the text is an old address.
    pub fn resolve(&self, text: &str) -> Vec<PlaceMatch> {
        let text = text.trim();
        if text.is_empty() {
            return Vec::new();
        }
        let (commune, district) = match text.split_once(',') {
            Some((commune, rest)) => (commune, Some(rest.split(',').next().unwrap_or(rest))),
            None => (text, None),
        };
        let written = full(commune);
        let wanted = bare(commune);
        let district = district.map(bare).filter(|d| !d.is_empty());
        if let Some(found) = self.current.iter().find(|c| c.code == text) {
            return vec![self.current_match(found.id, None)];
        }
        let old = |same: &dyn Fn(&Former) -> bool| -> Vec<PlaceMatch> {
            let mut matches: Vec<PlaceMatch> = Vec::new();
            let formers = self
                .former
                .iter()
                .filter(|f| same(f))
                .filter(|f| district.as_ref().is_none_or(|d| &f.district_bare == d));
            for former in formers {
                let was = format!("{}, {}", former.name, former.district);
                for id in &former.successors {
                    if !matches.iter().any(|m| m.area_id == *id) {
                        matches.push(self.current_match(*id, Some(was.clone())));
                    }
                }
            }
            matches
        };
        let current = |same: &dyn Fn(&Current) -> bool| -> Option<Uuid> {
            let found: Vec<&Current> = self.current.iter().filter(|c| same(c)).collect();
            match found.as_slice() {
                [one] => Some(one.id),
                _ => None,
            }
        };
        let by_full_name = current(&|c| c.full == written);
        if let (Some(id), None) = (by_full_name, &district) {
            return vec![self.current_match(id, None)];
        }
        let matches = old(&|f| f.full == written);
        if !matches.is_empty() {
            return matches;
        }
        if let Some(id) = by_full_name.or_else(|| current(&|c| c.bare == wanted)) {
            return vec![self.current_match(id, None)];
        }
        old(&|f| f.bare == wanted)
    }

    /// A current commune's name.
    pub fn name_of(&self, id: Uuid) -> Option<String> {
        self.current
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
    }

    fn current_match(&self, id: Uuid, former: Option<String>) -> PlaceMatch {
        let name = self
            .current
            .iter()
            .find(|c| c.id == id)
            .map_or_else(String::new, |c| c.name.clone());
        PlaceMatch {
            area_id: id,
            name,
            former,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bare;

    #[test]
    fn names_compare_without_accents_or_type_words() {
        assert_eq!(bare("Xã Quang Trung"), "quang trung");
        assert_eq!(bare("huyện Trùng Khánh"), "trung khanh");
        assert_eq!(bare("P. Tam Thanh"), "tam thanh");
        assert_eq!(bare("Thị trấn Trà Lĩnh"), "tra linh");
        assert_eq!(bare("TP. Lạng Sơn"), "lang son");
    }
}
