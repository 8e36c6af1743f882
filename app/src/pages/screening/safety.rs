//! The urgent panel (domain.md §6): opens as soon as an answer raises a flag, over the form, and
//! cannot be closed without recording the action taken (at least one step and a note).

use leptos::prelude::*;
use shared::instrument::FlagLevel;
use shared::screening::{SafetyAction, SafetyStep};

use crate::i18n::use_i18n;

#[component]
pub fn UrgentPanel(
    level: Memo<Option<FlagLevel>>,
    record: Callback<SafetyAction>,
) -> impl IntoView {
    let i18n = use_i18n();
    let steps = RwSignal::new(Vec::<SafetyStep>::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    let toggle = move |step: SafetyStep| super::toggle(steps, step);
    let submit = move |_| {
        let action = SafetyAction {
            steps: steps.get_untracked(),
            note: note.get_untracked().trim().to_string(),
        };
        if action.steps.is_empty() || action.note.is_empty() {
            error.set(true);
            return;
        }
        error.set(false);
        record.run(action);
    };
    move || {
        level.get().map(|level| {
            let acute = level == FlagLevel::Acute;
            view! {
                <div class="overlay">
                    <div class="urgent-panel" class:acute=acute role="alertdialog" aria-modal="true"
                        aria-labelledby="urgent-title" id="urgent-panel" data-level=if acute { "acute" } else { "non_acute" }>
                        <h2 id="urgent-title">{move || (i18n.screening().urgent_title)(level)}</h2>
                        <p>{move || (i18n.screening().urgent_text)(level)}</p>
                        <fieldset class="choices">
                            {SafetyStep::ALL.into_iter().map(|step| view! {
                                <label class="check"><input type="checkbox" name="safety-step"
                                    prop:checked=move || steps.with(|l| l.contains(&step))
                                    on:change=move |_| toggle(step)/>{move || (i18n.screening().step)(step)}</label>
                            }).collect_view()}
                        </fieldset>
                        <div class="field">
                            <label for="safety-note">{move || i18n.screening().action_note}</label>
                            <textarea autocomplete="off" id="safety-note" prop:value=move || note.get()
                                on:input=move |e| note.set(event_target_value(&e))></textarea>
                        </div>
                        <Show when=move || error.get()>
                            <p class="field-error" role="alert" id="safety-error">{move || i18n.screening().action_required}</p>
                        </Show>
                        <button type="button" class="button danger wide" id="record-action" on:click=submit>
                            {move || i18n.screening().record_action}
                        </button>
                    </div>
                </div>
            }
        })
    }
}
