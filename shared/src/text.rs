//! Text folding for search: case- and diacritic-insensitive, so "nguyen van an" finds
//! "Nguyễn Văn An" and "d" matches "đ". Works on precomposed (NFC) and decomposed (NFD) input.

/// Vietnamese letters with their base letter; precomposed forms cover what keyboards produce.
const FOLDS: [(&str, char); 7] = [
    ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
    ("èéẻẽẹêềếểễệ", 'e'),
    ("ìíỉĩị", 'i'),
    ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
    ("ùúủũụưừứửữự", 'u'),
    ("ỳýỷỹỵ", 'y'),
    ("đ", 'd'),
];

/// Lowercases, removes Vietnamese diacritics and combining marks, and collapses white space.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut last_was_space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue;
        }
        if c.is_whitespace() {
            if !last_was_space {
                folded.push(' ');
            }
            last_was_space = true;
            continue;
        }
        last_was_space = false;
        folded.push(
            FOLDS
                .iter()
                .find(|(letters, _)| letters.contains(c))
                .map_or(c, |(_, base)| *base),
        );
    }
    if folded.ends_with(' ') {
        folded.pop();
    }
    folded
}

/// The text with its Vietnamese marks taken off and its case kept ("Tày" → "Tay",
/// "Đăng" → "Dang"): how English writes Vietnamese proper names such as ethnic groups.
pub fn unmarked(text: &str) -> String {
    text.chars()
        .filter(|c| !('\u{0300}'..='\u{036f}').contains(c))
        .map(|c| {
            let lower = c.to_lowercase().next().unwrap_or(c);
            let base = FOLDS
                .iter()
                .find(|(letters, _)| letters.contains(lower))
                .map_or(lower, |(_, base)| *base);
            match (base == lower, c.is_uppercase()) {
                (true, _) => c,
                (false, true) => base.to_ascii_uppercase(),
                (false, false) => base,
            }
        })
        .collect()
}

/// Whether every word of the query starts a word of the text (both folded), so that "ng an"
/// finds "Nguyễn Văn An" but "an" does not find "Lan".
pub fn matches(folded_text: &str, folded_query: &str) -> bool {
    let words: Vec<&str> = folded_text.split(' ').collect();
    folded_query
        .split(' ')
        .filter(|q| !q.is_empty())
        .all(|q| words.iter().any(|w| w.starts_with(q)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_to_plain_lowercase() {
        assert_eq!(fold("Nguyễn Văn An"), "nguyen van an");
        assert_eq!(fold("ĐẶNG THỊ Hường"), "dang thi huong");
        assert_eq!(fold("  Lò   Văn  Páo "), "lo van pao");
        // Decomposed input (a + combining marks) folds the same way.
        assert_eq!(fold("Nguye\u{0302}\u{0303}n"), "nguyen");
        assert_eq!(fold("Ơ Đu"), "o du");
    }

    #[test]
    fn unmarked_keeps_case() {
        assert_eq!(unmarked("Tày"), "Tay");
        assert_eq!(unmarked("Xơ Đăng"), "Xo Dang");
        assert_eq!(unmarked("H'Mông"), "H'Mong");
        assert_eq!(unmarked("Ê Đê"), "E De");
        assert_eq!(unmarked("Kinh"), "Kinh");
    }

    #[test]
    fn queries_match_word_starts() {
        let name = fold("Nguyễn Văn An");
        assert!(matches(&name, &fold("nguyen van an")));
        assert!(matches(&name, &fold("ng an")));
        assert!(matches(&name, &fold("AN")));
        assert!(!matches(&fold("Hoàng Thị Lan"), &fold("an")));
        assert!(matches(&name, ""));
    }
}
