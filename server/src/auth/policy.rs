//! Which new passwords are strong enough, beyond the shape `shared::validate::new_password`
//! checks (length, not only digits): not common, not guessable from its patterns (zxcvbn's
//! estimate), not containing the user's own username or name. Checked on the server only: the
//! dictionaries are too big for the app's bundle; the message comes back in the user's language.

use shared::text::fold;
use shared::validate::Problem;
use zxcvbn::{zxcvbn, Score};

/// Common passwords zxcvbn's English dictionaries do not know, written without diacritics.
const COMMON_HERE: [&str; 16] = [
    "matkhau",
    "matkhau1",
    "matkhau123",
    "anhyeuem",
    "emyeuanh",
    "yeuem",
    "vietnam",
    "hanoi",
    "saigon",
    "langson",
    "caobang",
    "tamansuckhoe",
    "tam an",
    "truonghoc",
    "hocsinh",
    "giaovien",
];

/// `context`: the user's username, full name and anything else a guesser would try first.
pub fn strong_enough(password: &str, context: &[&str]) -> Result<(), Problem> {
    let folded = fold(password).replace(' ', "");
    let tokens: Vec<String> = fold(password)
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_string)
        .collect();
    for word in context {
        // The whole of it anywhere (a username, a name run together), or one of its words as a
        // word of the password ("tran" in "tran-2026", not in "trang").
        let whole = fold(word).replace(|c: char| !c.is_alphanumeric(), "");
        let in_words = fold(word)
            .split(|c: char| !c.is_alphanumeric())
            .any(|part| part.chars().count() >= 3 && tokens.iter().any(|t| t == part));
        if (whole.chars().count() >= 4
            && folded
                .replace(|c: char| !c.is_alphanumeric(), "")
                .contains(&whole))
            || in_words
        {
            return Err(Problem::PasswordHasName);
        }
    }
    let mut inputs: Vec<&str> = COMMON_HERE.to_vec();
    inputs.extend_from_slice(context);
    // Judged on the password as typed and without its diacritics (a dictionary word with tone
    // marks is no harder to guess).
    for candidate in [password, &folded] {
        if zxcvbn(candidate, &inputs).score() < Score::Three {
            return Err(Problem::PasswordGuessable);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_guessable_and_personal_passwords_are_refused() {
        let lan = ["lan.trieu", "Triệu Thị Lan"];
        assert_eq!(
            strong_enough("password12", &lan),
            Err(Problem::PasswordGuessable)
        );
        assert_eq!(
            strong_enough("matkhau123", &lan),
            Err(Problem::PasswordGuessable)
        );
        assert_eq!(
            strong_enough("qwertyuiop", &lan),
            Err(Problem::PasswordGuessable)
        );
        assert_eq!(
            strong_enough("trieu-2026-x", &lan),
            Err(Problem::PasswordHasName)
        );
        assert_eq!(
            strong_enough("lan.trieu2026", &lan),
            Err(Problem::PasswordHasName)
        );
        assert!(strong_enough("mây-trắng-bếp-lửa", &lan).is_ok());
        assert!(strong_enough("núi-đá-2026", &lan).is_ok());
        assert!(strong_enough("hoa-ban-trắng", &lan).is_ok());
        let tran = ["lan.tran", "Trần Thị Lan"];
        assert!(
            strong_enough("hoa-ban-trắng", &tran).is_ok(),
            "trang is not tran"
        );
        assert_eq!(
            strong_enough("tran-hoa-ban-7", &tran),
            Err(Problem::PasswordHasName)
        );
    }
}
