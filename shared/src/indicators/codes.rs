//! The frozen integer codes the indicator facts store (the server's `fact_*` tables; the device's
//! data set uses the same). A code never changes meaning: a new value gets a new number, and a
//! list reordered for the screen relabels nothing. Each mapping is one exhaustive `match`, so a
//! new variant does not compile until it has its code; `tests::golden` pins every code.

use crate::activity::ActivityKind;
use crate::care::{CareKind, ParentsLost, SessionKind, CIRCUMSTANCES};
use crate::child::Sex;
use crate::health_condition::ConditionKind;
use crate::referral::{Action, Urgency};

/// A code and its way back, for one enum.
macro_rules! frozen {
    ($code:ident, $from:ident, $ty:ty { $($variant:path => $n:literal),+ $(,)? }) => {
        pub fn $code(value: $ty) -> i64 {
            match value {
                $($variant => $n,)+
            }
        }

        pub fn $from(code: i64) -> Option<$ty> {
            match code {
                $($n => Some($variant),)+
                _ => None,
            }
        }
    };
}

frozen!(sex_code, sex_of, Sex { Sex::Male => 0, Sex::Female => 1 });

frozen!(urgency_code, urgency_of, Urgency {
    Urgency::Emergency => 0,
    Urgency::Urgent => 1,
    Urgency::Routine => 2,
});

frozen!(action_code, action_of, Action {
    Action::Receive => 0,
    Action::Accept => 1,
    Action::Decline => 2,
    Action::Attend => 3,
    Action::Complete => 4,
    Action::NoShow => 5,
    Action::Cancel => 6,
});

frozen!(care_code, care_of, CareKind {
    CareKind::Kinship => 0,
    CareKind::NonRelativeFamily => 1,
    CareKind::Adoption => 2,
    CareKind::SocialAssistanceFacility => 3,
    CareKind::NoneYet => 4,
});

frozen!(activity_code, activity_of, ActivityKind {
    ActivityKind::Training => 0,
    ActivityKind::Communication => 1,
    ActivityKind::ParentMeeting => 2,
});

frozen!(condition_code, condition_of, ConditionKind {
    ConditionKind::Mental => 0,
    ConditionKind::Neurological => 1,
    ConditionKind::Intellectual => 2,
    ConditionKind::Autism => 3,
});

frozen!(session_code, session_of, SessionKind {
    SessionKind::Individual => 0,
    SessionKind::Group => 1,
    SessionKind::ParentGuidance => 2,
    SessionKind::Hotline111Call => 3,
});

// What an orphan lost (0 in a fact row: not recorded).
frozen!(parents_code, parents_of, ParentsLost {
    ParentsLost::One => 1,
    ParentsLost::Both => 2,
});

/// A special circumstance's code: its place in [`CIRCUMSTANCES`] (pinned by a golden test);
/// `u8::MAX` when unknown.
pub fn circumstance_code(code: &str) -> u8 {
    CIRCUMSTANCES
        .iter()
        .position(|c| c.code == code)
        .and_then(|p| u8::try_from(p).ok())
        .unwrap_or(u8::MAX)
}

/// The circumstance a code stands for.
pub fn circumstance_of(code: u8) -> Option<&'static str> {
    CIRCUMSTANCES.get(usize::from(code)).map(|c| c.code)
}

/// An instrument's code: its definition's own `fact_code` (`u8::MAX` when unknown).
pub fn instrument_code(id: &str) -> u8 {
    crate::instrument::find(id).map_or(u8::MAX, |i| i.fact_code)
}

/// The instrument a code stands for.
pub fn instrument_of(code: u8) -> Option<&'static str> {
    crate::instrument::catalogue()
        .iter()
        .find(|i| i.fact_code == code)
        .map(|i| i.id.as_str())
}

/// An ethnic group's code: its place in the fixed list of the 54 groups
/// ([`crate::ethnicity::ETHNIC_GROUPS`], pinned by a golden test); `u16::MAX` when unknown.
pub fn ethnicity_code(slug: &str) -> u16 {
    crate::ethnicity::ETHNIC_GROUPS
        .iter()
        .position(|(s, _)| *s == slug)
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden() {
        let sexes: Vec<i64> = Sex::ALL.into_iter().map(sex_code).collect();
        assert_eq!(sexes, [0, 1]);
        let urgencies: Vec<(&str, i64)> = Urgency::ALL
            .into_iter()
            .map(|u| (u.code(), urgency_code(u)))
            .collect();
        assert_eq!(urgencies, [("emergency", 0), ("urgent", 1), ("routine", 2)]);
        let actions: Vec<i64> = Action::ALL.into_iter().map(action_code).collect();
        assert_eq!(actions, [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(action_code(Action::NoShow), 5);
        assert_eq!(care_code(CareKind::SocialAssistanceFacility), 3);
        assert_eq!(care_code(CareKind::NoneYet), 4);
        let activities: Vec<i64> = ActivityKind::ALL.into_iter().map(activity_code).collect();
        assert_eq!(activities, [0, 1, 2]);
        for (id, code) in [
            ("asq", 0),
            ("concern", 1),
            ("gad7", 2),
            ("phqa", 3),
            ("ppsc", 4),
            ("psc17", 5),
        ] {
            assert_eq!(instrument_code(id), code, "{id}");
            assert_eq!(instrument_of(code), Some(id));
        }
        let slugs: Vec<&str> = crate::ethnicity::ETHNIC_GROUPS
            .iter()
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(slugs.len(), 54);
        assert_eq!(ethnicity_code("kinh"), 0);
        assert_eq!(
            ethnicity_code("tay"),
            slugs.iter().position(|s| *s == "tay").unwrap() as u16
        );
        assert_eq!(slugs.join(","), ETHNIC_ORDER);
        let sessions: Vec<i64> = SessionKind::ALL.into_iter().map(session_code).collect();
        assert_eq!(sessions, [0, 1, 2, 3]);
        assert_eq!(parents_code(ParentsLost::Both), 2);
        let conditions: Vec<i64> = ConditionKind::ALL.into_iter().map(condition_code).collect();
        assert_eq!(conditions, [0, 1, 2, 3]);
        let circumstances: Vec<&str> = (0..CIRCUMSTANCES.len() as u8)
            .filter_map(circumstance_of)
            .collect();
        assert_eq!(circumstances.join(","), CIRCUMSTANCE_ORDER);
        assert_eq!(circumstance_code("orphan"), 0);
        assert_eq!(circumstance_code("nope"), u8::MAX);
    }

    /// The special circumstances in the order their codes follow; changing it relabels facts.
    const CIRCUMSTANCE_ORDER: &str = "orphan,abandoned,no_family_care,disability,hiv,law_violation,drug_use,out_of_school_work,violence,exploitation,sexual_abuse,trafficking,serious_illness,migrant,poor_household,other";

    /// The 54 groups in the order their codes follow; changing it relabels stored facts.
    const ETHNIC_ORDER: &str = "kinh,ba-na,bo-y,brau,bru-van-kieu,cham,cho-ro,chu-ru,chut,co,co-ho,co-lao,co-tu,cong,dao,e-de,gia-rai,giay,gie-trieng,ha-nhi,hmong,hoa,hre,khang,khmer,kho-mu,la-chi,la-ha,la-hu,lao,lo-lo,lu,ma,mang,mnong,muong,ngai,nung,o-du,pa-then,phu-la,pu-peo,ra-glai,ro-mam,san-chay,san-diu,si-la,tay,ta-oi,thai,tho,xinh-mun,xo-dang,xtieng";

    #[test]
    fn every_code_goes_back_to_its_value() {
        for s in Sex::ALL {
            assert_eq!(sex_of(sex_code(s)), Some(s));
        }
        for u in Urgency::ALL {
            assert_eq!(urgency_of(urgency_code(u)), Some(u));
        }
        for a in Action::ALL {
            assert_eq!(action_of(action_code(a)), Some(a));
        }
        for c in CareKind::ALL {
            assert_eq!(care_of(care_code(c)), Some(c));
        }
        for a in ActivityKind::ALL {
            assert_eq!(activity_of(activity_code(a)), Some(a));
        }
        for k in SessionKind::ALL {
            assert_eq!(session_of(session_code(k)), Some(k));
        }
        assert_eq!(parents_of(0), None);
        for k in ConditionKind::ALL {
            assert_eq!(condition_of(condition_code(k)), Some(k));
        }
        assert_eq!(sex_of(7), None);
    }

    #[test]
    fn instrument_codes_are_unique_and_shared_by_versions() {
        use std::collections::HashMap;
        let mut by_code: HashMap<u8, &str> = HashMap::new();
        for instrument in crate::instrument::catalogue() {
            assert_ne!(
                instrument.fact_code,
                u8::MAX,
                "{} has no code",
                instrument.id
            );
            let owner = by_code
                .entry(instrument.fact_code)
                .or_insert(&instrument.id);
            assert_eq!(
                *owner, instrument.id,
                "code {} used twice",
                instrument.fact_code
            );
        }
    }
}
