//! The built-in instrument definitions and the scoring engine: every definition is sound, and
//! every cut-off, missing-item rule, conditional item and critical flag behaves as
//! `../shared/docs/instruments.md` §3.1 says.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use shared::instrument::{
    age_in_months, catalogue, check_answers, check_definition, find, flags_so_far, score, suggest,
    AnswerProblem, Answers, FlagLevel, Instrument, ScreeningResult,
};

fn instrument(id: &str) -> &'static Instrument {
    find(id).unwrap_or_else(|| panic!("instrument {id} is built in"))
}

/// Answers with the given items set; everything else blank.
fn answers(pairs: &[(&str, i32)]) -> Answers {
    Answers {
        values: pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        ..Answers::default()
    }
}

/// Items `prefix_1..=prefix_n` set so that their sum is `total` (2s first, then a 1, then 0s),
/// with the items in `blank` left out.
fn summing(prefix: &str, n: usize, per_item_max: i32, total: i32, blank: &[usize]) -> Answers {
    let mut left = total;
    let mut values = BTreeMap::new();
    for i in 1..=n {
        if blank.contains(&i) {
            continue;
        }
        let value = left.min(per_item_max);
        left -= value;
        values.insert(format!("{prefix}_{i}"), value);
    }
    assert_eq!(left, 0, "{total} does not fit in the answered items");
    Answers {
        values,
        ..Answers::default()
    }
}

fn total(result: &ScreeningResult) -> i32 {
    result.scores["total"].value
}

#[test]
fn every_definition_parses_and_is_sound() {
    // Every file in `shared/instruments/` is in the catalogue: a new one needs nothing else.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/instruments"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count();
    assert_eq!(catalogue().len(), files);
    for instrument in catalogue() {
        let problems = check_definition(instrument);
        assert!(problems.is_empty(), "{}: {problems:?}", instrument.id);
        assert_eq!(instrument.vi_translation, "pending_validation");
        assert!(!instrument.attribution.vi.is_empty() && !instrument.licence.en.is_empty());
        // Every value the band score can take falls in exactly one range band.
        if let Some(band_score) = &instrument.band_score {
            let score = instrument
                .scores
                .iter()
                .find(|s| &s.id == band_score)
                .unwrap();
            let max: i32 = score
                .items
                .iter()
                .map(|id| {
                    let item = instrument.item(id).unwrap();
                    instrument
                        .options(item)
                        .unwrap()
                        .options
                        .iter()
                        .map(|o| o.value)
                        .max()
                        .unwrap()
                })
                .sum();
            let ranged: Vec<_> = instrument
                .bands
                .iter()
                .filter(|b| b.min.is_some())
                .collect();
            if !ranged.is_empty() {
                for value in 0..=max {
                    let holding = ranged
                        .iter()
                        .filter(|b| b.min.unwrap() <= value && value <= b.max.unwrap())
                        .count();
                    assert_eq!(holding, 1, "{} value {value}", instrument.id);
                }
            }
        }
    }
    let mut ids: Vec<(&str, &str)> = catalogue()
        .iter()
        .map(|i| (i.id.as_str(), i.version.as_str()))
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), catalogue().len());
}

#[test]
fn a_broken_definition_is_reported() {
    let mut broken = instrument("psc17").clone();
    broken.scores[1].items.push("psc17_99".into());
    broken.items[0].options = Some("nope".into());
    let problems = check_definition(&broken);
    assert!(
        problems.iter().any(|p| p.contains("psc17_99")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("nope")), "{problems:?}");
}

#[test]
fn ppsc_cut_off_and_blanks() {
    let ppsc = instrument("ppsc");
    let below = score(ppsc, &summing("ppsc", 18, 2, 8, &[]));
    assert_eq!(
        (total(&below), below.positive, below.band.as_deref()),
        (8, false, Some("not_at_risk"))
    );
    let at = score(ppsc, &summing("ppsc", 18, 2, 9, &[]));
    assert_eq!(
        (total(&at), at.positive, at.band.as_deref()),
        (9, true, Some("at_risk"))
    );
    let three_blank = score(ppsc, &summing("ppsc", 18, 2, 9, &[16, 17, 18]));
    assert!(three_blank.valid && three_blank.positive);
    assert_eq!(three_blank.missing, 3);
    let four_blank = score(ppsc, &summing("ppsc", 18, 2, 9, &[15, 16, 17, 18]));
    assert!(!four_blank.valid && !four_blank.positive && four_blank.band.is_none());
    assert!(ppsc.flags.is_empty());
}

#[test]
fn psc17_total_and_each_subscale_cut_off() {
    let psc = instrument("psc17");
    let with = |pairs: &[(usize, i32)]| {
        let values: Vec<(String, i32)> = pairs
            .iter()
            .map(|(n, v)| (format!("psc17_{n}"), *v))
            .collect();
        let refs: Vec<(&str, i32)> = values.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let mut all = answers(&refs);
        for n in 1..=17 {
            all.values.entry(format!("psc17_{n}")).or_insert(0);
        }
        score(psc, &all)
    };
    // Internalizing {2, 6, 9, 11, 15}: 4 negative, 5 positive.
    let r = with(&[(2, 2), (6, 2)]);
    assert_eq!((r.scores["internalizing"].value, r.positive), (4, false));
    let r = with(&[(2, 2), (6, 2), (9, 1)]);
    assert_eq!(
        (r.scores["internalizing"].positive, r.positive),
        (Some(true), true)
    );
    assert_eq!(r.band.as_deref(), Some("at_risk"));
    // Attention {1, 3, 7, 13, 17}: 6 negative, 7 positive.
    let r = with(&[(1, 2), (3, 2), (7, 2)]);
    assert_eq!((r.scores["attention"].value, r.positive), (6, false));
    assert!(with(&[(1, 2), (3, 2), (7, 2), (13, 1)]).positive);
    // Externalizing {4, 5, 8, 10, 12, 14, 16}: 6 negative, 7 positive.
    let r = with(&[(4, 2), (5, 2), (8, 2)]);
    assert_eq!((r.scores["externalizing"].value, r.positive), (6, false));
    assert!(with(&[(4, 2), (5, 2), (8, 2), (16, 1)]).positive);
    // Total: 14 spread under every subscale cut-off is negative, 15 positive.
    let fourteen = [(2, 2), (6, 2), (1, 2), (3, 2), (7, 2), (4, 2), (5, 2)];
    let r = with(&fourteen);
    assert_eq!(
        (total(&r), r.positive, r.band.as_deref()),
        (14, false, Some("not_at_risk"))
    );
    let mut fifteen = fourteen.to_vec();
    fifteen.push((8, 1));
    let r = with(&fifteen);
    assert_eq!(
        (total(&r), r.scores["total"].positive, r.positive),
        (15, Some(true), true)
    );
}

#[test]
fn psc17_four_blanks_make_it_invalid() {
    let psc = instrument("psc17");
    let three = score(psc, &summing("psc17", 17, 2, 0, &[1, 2, 3]));
    assert!(three.valid);
    assert_eq!(three.missing, 3);
    let four = score(psc, &summing("psc17", 17, 2, 0, &[1, 2, 3, 4]));
    assert!(!four.valid && four.scores.is_empty());
}

#[test]
fn phqa_cut_off_and_bands() {
    let phqa = instrument("phqa");
    let at = |t: i32| score(phqa, &summing("phqa", 9, 3, t, &[]));
    assert!(!at(10).positive);
    assert!(at(11).positive);
    for (value, band) in [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ] {
        assert_eq!(at(value).band.as_deref(), Some(band), "total {value}");
    }
}

#[test]
fn phqa_prorates_one_or_two_blanks_and_refuses_three() {
    let phqa = instrument("phqa");
    // 8 answered, sum 9: round(9 × 9 / 8 = 10.125) = 10.
    let one = score(phqa, &summing("phqa", 9, 3, 9, &[9]));
    assert_eq!((one.valid, total(&one), one.missing), (true, 10, 1));
    // 7 answered, sum 10: round(90 / 7 = 12.86) = 13, positive although the raw sum is 10.
    let two = score(phqa, &summing("phqa", 9, 3, 10, &[8, 9]));
    assert_eq!((total(&two), two.positive), (13, true));
    // 8 answered, sum 4: round(4.5) = 5 (half rounds up).
    let half = score(phqa, &summing("phqa", 9, 3, 4, &[9]));
    assert_eq!(total(&half), 5);
    let three = score(phqa, &summing("phqa", 9, 3, 10, &[7, 8, 9]));
    assert!(!three.valid && three.scores.is_empty());
}

#[test]
fn phqa_suicide_questions_raise_the_flag_even_on_an_invalid_form() {
    let phqa = instrument("phqa");
    let non_acute = |r: &ScreeningResult| r.urgency() == Some(FlagLevel::NonAcute);
    assert!(score(phqa, &summing("phqa", 9, 3, 0, &[])).flags.is_empty());
    let mut item9 = summing("phqa", 9, 3, 0, &[]);
    item9.values.insert("phqa_9".into(), 1);
    assert!(non_acute(&score(phqa, &item9)));
    for extra in ["phqa_past_month_thoughts", "phqa_ever_attempt"] {
        let mut a = summing("phqa", 9, 3, 0, &[]);
        a.values.insert(extra.into(), 1);
        assert!(non_acute(&score(phqa, &a)), "{extra}");
        a.values.insert(extra.into(), 0);
        assert!(score(phqa, &a).flags.is_empty(), "{extra} no");
    }
    // The past-year question is stored, not a flag.
    let mut past_year = summing("phqa", 9, 3, 0, &[]);
    past_year.values.insert("phqa_past_year".into(), 1);
    assert!(score(phqa, &past_year).flags.is_empty());
    let invalid = score(phqa, &answers(&[("phqa_9", 2)]));
    assert!(!invalid.valid && non_acute(&invalid));
}

#[test]
fn gad7_cut_off_bands_and_no_blanks() {
    let gad = instrument("gad7");
    let at = |t: i32| score(gad, &summing("gad7", 7, 3, t, &[]));
    assert!(!at(9).positive);
    assert!(at(10).positive);
    for (value, band) in [
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ] {
        assert_eq!(at(value).band.as_deref(), Some(band), "total {value}");
    }
    let blank = score(gad, &summing("gad7", 7, 3, 12, &[7]));
    assert!(!blank.valid);
    assert!(at(21).flags.is_empty());
}

#[test]
fn asq_outcomes_and_its_conditional_question() {
    let asq = instrument("asq");
    let negative = score(
        asq,
        &answers(&[("asq_1", 0), ("asq_2", 0), ("asq_3", 0), ("asq_4", 0)]),
    );
    assert_eq!(
        (negative.band.as_deref(), negative.positive),
        (Some("negative"), false)
    );
    assert!(negative.flags.is_empty());

    let non_acute = score(
        asq,
        &answers(&[
            ("asq_1", 0),
            ("asq_2", 1),
            ("asq_3", 0),
            ("asq_4", 0),
            ("asq_5", 0),
        ]),
    );
    assert_eq!(non_acute.band.as_deref(), Some("non_acute_positive"));
    assert!(non_acute.positive);
    assert_eq!(non_acute.urgency(), Some(FlagLevel::NonAcute));

    let acute = score(
        asq,
        &answers(&[
            ("asq_1", 1),
            ("asq_2", 0),
            ("asq_3", 0),
            ("asq_4", 0),
            ("asq_5", 1),
        ]),
    );
    assert_eq!(acute.band.as_deref(), Some("acute_positive"));
    assert_eq!(acute.flags.len(), 1, "one flag per id: {:?}", acute.flags);
    assert_eq!(acute.urgency(), Some(FlagLevel::Acute));

    // Question 5 is asked only after a yes; left blank then, the form is not finished.
    let unfinished = score(
        asq,
        &answers(&[("asq_1", 1), ("asq_2", 0), ("asq_3", 0), ("asq_4", 0)]),
    );
    assert!(!unfinished.valid);
    assert_eq!(unfinished.urgency(), Some(FlagLevel::NonAcute));
    let not_asked = answers(&[
        ("asq_1", 0),
        ("asq_2", 0),
        ("asq_3", 0),
        ("asq_4", 0),
        ("asq_5", 0),
    ]);
    assert_eq!(
        check_answers(asq, &not_asked),
        Err(vec![AnswerProblem::NotAsked("asq_5".into())])
    );
}

#[test]
fn asq_acute_answer_is_flagged_before_the_form_is_finished() {
    let asq = instrument("asq");
    let so_far: BTreeMap<String, i32> = [("asq_1", 1), ("asq_5", 1)]
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    let flags = flags_so_far(asq, &so_far);
    assert_eq!(flags[0].level, FlagLevel::Acute);
}

#[test]
fn asq_declined_is_a_non_acute_positive_and_other_instruments_are_not_scored() {
    let declined = Answers {
        declined: true,
        ..Answers::default()
    };
    let asq = score(instrument("asq"), &declined);
    assert_eq!(asq.band.as_deref(), Some("non_acute_positive"));
    assert!(asq.valid && asq.positive);
    assert_eq!(asq.urgency(), Some(FlagLevel::NonAcute));
    let gad = score(instrument("gad7"), &declined);
    assert!(!gad.valid && !gad.positive);
}

#[test]
fn answers_that_do_not_fit_are_named() {
    let asq = instrument("asq");
    let mut bad = answers(&[("asq_1", 3), ("asq_9", 1), ("asq_4_how", 1)]);
    bad.texts.insert("asq_1".into(), "text".into());
    bad.texts.insert("asq_4_how".into(), "x".repeat(10));
    let problems = check_answers(asq, &bad).unwrap_err();
    assert!(problems.contains(&AnswerProblem::NotAnOption {
        item: "asq_1".into(),
        value: 3
    }));
    assert!(problems.contains(&AnswerProblem::UnknownItem("asq_9".into())));
    assert!(problems.contains(&AnswerProblem::TextForChoice("asq_4_how".into())));
    assert!(problems.contains(&AnswerProblem::TextForChoice("asq_1".into())));
    // The follow-up is asked only after a yes to question 4.
    assert!(problems.contains(&AnswerProblem::NotAsked("asq_4_how".into())));
    let mut long = answers(&[
        ("asq_1", 0),
        ("asq_2", 0),
        ("asq_3", 0),
        ("asq_4", 1),
        ("asq_5", 0),
    ]);
    long.texts.insert("asq_4_how".into(), "x".repeat(1001));
    assert_eq!(
        check_answers(asq, &long),
        Err(vec![AnswerProblem::TextTooLong("asq_4_how".into())])
    );
    long.texts.insert("asq_4_how".into(), "năm ngoái".into());
    assert_eq!(check_answers(asq, &long), Ok(()));
}

#[test]
fn ages_choose_the_suggested_instruments() {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(age_in_months(day(2020, 5, 31), day(2024, 5, 30)), Some(47));
    assert_eq!(age_in_months(day(2020, 5, 31), day(2024, 5, 31)), Some(48));
    assert_eq!(age_in_months(day(2020, 5, 31), day(2020, 5, 30)), None);
    let ids = |months| {
        suggest(months)
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(30), ["ppsc", "concern"]);
    assert_eq!(ids(48), ["ppsc", "psc17", "concern"]);
    assert_eq!(ids(14 * 12), ["psc17", "phqa", "gad7", "asq"]);
    assert_eq!(ids(10 * 12), ["psc17", "asq"]);
    assert_eq!(ids(12), ["concern"]);
}

#[test]
fn a_concern_under_ten_counts_as_positive_and_self_harm_raises_the_flag() {
    let concern = instrument("concern");
    let other = score(concern, &answers(&[("concern_kind", 1)]));
    assert_eq!(
        (other.positive, other.band.as_deref()),
        (true, Some("concern"))
    );
    assert!(other.flags.is_empty());
    let self_harm = score(concern, &answers(&[("concern_kind", 2)]));
    assert_eq!(self_harm.band.as_deref(), Some("self_harm_concern"));
    assert_eq!(self_harm.urgency(), Some(FlagLevel::NonAcute));
    assert!(!score(concern, &answers(&[])).valid);
}
