//! Property tests for the label parser: any input, no panic, every span inside the
//! input and on character boundaries, and every ingredient's text drawn from its span.

use std::sync::LazyLock;

use proptest::prelude::*;

static CHECKER: LazyLock<aftercare::Checker> =
    LazyLock::new(|| aftercare::Checker::embedded().unwrap());

fn label_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Water".to_string()),
        Just("Glycolic Acid 10%".to_string()),
        Just("Aqua/Water/Eau".to_string()),
        Just("Cocos Nucifera (Coconut) Oil*".to_string()),
        Just("[+/-: CI 77491".to_string()),
        Just("]".to_string()),
        Just("May contain:".to_string()),
        Just("Ingredients:".to_string()),
        Just("Please be aware that ingredient lists may change.".to_string()),
        Just("(and)".to_string()),
        Just("&amp;".to_string()),
        Just("\u{a0}\u{200b}".to_string()),
        "[ -~]{0,12}",
        "\\PC{0,6}",
    ];
    let sep = prop_oneof![
        Just(", "),
        Just(","),
        Just("; "),
        Just(" • "),
        Just("\n"),
        Just(" | "),
        Just(". "),
        Just(" "),
    ];
    prop::collection::vec((piece, sep), 0..40).prop_map(|v| {
        v.into_iter()
            .map(|(p, s)| format!("{p}{s}"))
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_parses_without_panic_and_spans_stay_inside(text in "\\PC{0,300}") {
        if let Ok(p) = aftercare::label::parse(&text) {
            for i in &p.ingredients {
                prop_assert!(i.span.start <= i.span.end && i.span.end <= text.len());
                prop_assert!(text.is_char_boundary(i.span.start) && text.is_char_boundary(i.span.end));
                prop_assert!(i.part < p.parts.len());
                prop_assert!(i.position >= 1);
            }
        }
    }

    #[test]
    fn label_like_text_checks_without_panic(text in label_like()) {
        if let Ok(a) = CHECKER.check(&text, &aftercare::Options::default()) {
            for i in &a.ingredients {
                prop_assert!(i.span[1] <= text.len());
                prop_assert!(text.is_char_boundary(i.span[0]) && text.is_char_boundary(i.span[1]));
            }
            prop_assert!(a.wait_hours.is_none_or(|h| h >= a.baseline_hours));
        }
    }
}
