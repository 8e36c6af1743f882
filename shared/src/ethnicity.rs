//! Vietnam's 54 ethnic groups (dân tộc), with stable slugs used as codes in the data.
//! The national statistics office numbers them too; that mapping belongs with the integration
//! that needs it (the national child-information software), not in our stored data.

/// (slug, Vietnamese name). Order: the Kinh majority first, then alphabetical by slug.
pub const ETHNIC_GROUPS: [(&str, &str); 54] = [
    ("kinh", "Kinh"),
    ("ba-na", "Ba Na"),
    ("bo-y", "Bố Y"),
    ("brau", "Brâu"),
    ("bru-van-kieu", "Bru - Vân Kiều"),
    ("cham", "Chăm"),
    ("cho-ro", "Chơ Ro"),
    ("chu-ru", "Chu Ru"),
    ("chut", "Chứt"),
    ("co", "Co"),
    ("co-ho", "Cơ Ho"),
    ("co-lao", "Cờ Lao"),
    ("co-tu", "Cơ Tu"),
    ("cong", "Cống"),
    ("dao", "Dao"),
    ("e-de", "Ê Đê"),
    ("gia-rai", "Gia Rai"),
    ("giay", "Giáy"),
    ("gie-trieng", "Giẻ Triêng"),
    ("ha-nhi", "Hà Nhì"),
    ("hmong", "H'Mông"),
    ("hoa", "Hoa"),
    ("hre", "Hrê"),
    ("khang", "Kháng"),
    ("khmer", "Khmer"),
    ("kho-mu", "Khơ Mú"),
    ("la-chi", "La Chí"),
    ("la-ha", "La Ha"),
    ("la-hu", "La Hủ"),
    ("lao", "Lào"),
    ("lo-lo", "Lô Lô"),
    ("lu", "Lự"),
    ("ma", "Mạ"),
    ("mang", "Mảng"),
    ("mnong", "Mnông"),
    ("muong", "Mường"),
    ("ngai", "Ngái"),
    ("nung", "Nùng"),
    ("o-du", "Ơ Đu"),
    ("pa-then", "Pà Thẻn"),
    ("phu-la", "Phù Lá"),
    ("pu-peo", "Pu Péo"),
    ("ra-glai", "Ra Glai"),
    ("ro-mam", "Rơ Măm"),
    ("san-chay", "Sán Chay"),
    ("san-diu", "Sán Dìu"),
    ("si-la", "Si La"),
    ("tay", "Tày"),
    ("ta-oi", "Tà Ôi"),
    ("thai", "Thái"),
    ("tho", "Thổ"),
    ("xinh-mun", "Xinh Mun"),
    ("xo-dang", "Xơ Đăng"),
    ("xtieng", "Xtiêng"),
];

/// The group's name in `lang`: English writes it without marks, as the General Statistics
/// Office's English tables do ("Tay", "Muong").
pub fn label(slug: &str, lang: crate::lang::Lang) -> Option<String> {
    let name = name(slug)?;
    Some(match lang {
        crate::lang::Lang::Vi => name.to_string(),
        crate::lang::Lang::En => crate::text::unmarked(name),
    })
}

pub fn name(slug: &str) -> Option<&'static str> {
    ETHNIC_GROUPS
        .iter()
        .find(|(code, _)| *code == slug)
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn fifty_four_distinct_groups() {
        let slugs: HashSet<_> = ETHNIC_GROUPS.iter().map(|(slug, _)| *slug).collect();
        let names: HashSet<_> = ETHNIC_GROUPS.iter().map(|(_, name)| *name).collect();
        assert_eq!(slugs.len(), 54);
        assert_eq!(names.len(), 54);
        assert_eq!(name("tay"), Some("Tày"));
        assert_eq!(name("nung"), Some("Nùng"));
        assert_eq!(name("viet"), None);
    }
}
