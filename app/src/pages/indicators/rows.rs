//! `/indicators/rows/:code`: the rows behind one indicator's figure. Officers get the server's
//! de-identified rows; facility staff get their own facility's rows from the device, with names
//! linking to each child's record.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::child::Child;
use shared::indicators::{rows, Indicator, IndicatorRow, Part, RowsView, Span, ROWS_MAX};
use shared::lang::format_date;

use super::{local_dataset, today};
use crate::api::use_api;
use crate::i18n::use_i18n;
use crate::session::use_session;
use crate::sync::use_sync;

#[component]
pub fn IndicatorRowsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let api = use_api();
    let params = use_params_map();
    let query = use_query_map();
    let code = params.with_untracked(|p| p.get("code")).unwrap_or_default();
    let indicator = Indicator::parse(&code);
    let search = query.with_untracked(|q| {
        ["period", "area", "facility"]
            .iter()
            .filter_map(|k| q.get(k).map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join("&")
    });
    let span = query
        .with_untracked(|q| q.get("period").and_then(|p| Span::parse(&p)))
        .unwrap_or_else(|| Span::due_next(today(sync.network)));
    let aggregate = session
        .user_untracked()
        .is_some_and(|u| u.role.placed_on_area(u.facility_id.is_some()));
    let server = LocalResource::new(move || {
        let path = format!("/api/indicators/rows?indicator={code}&{search}");
        async move { aggregate.then_some(api.get::<RowsView>(&path).await) }
    });
    let local = Memo::new(move |_| {
        let indicator = indicator?;
        if aggregate {
            return None;
        }
        let user = session.user()?;
        let day = today(sync.network);
        sync.records.with(|records| {
            let data = sync
                .network
                .facilities
                .with(|facilities| local_dataset(records, facilities, &user));
            let period = span.period();
            let mut found = rows(&data, period, day, indicator);
            found.sort_by_key(|(_, part, _)| *part != Part::Numerator);
            let total = found.len();
            let lang = i18n.lang_untracked();
            let list = found
                .into_iter()
                .take(ROWS_MAX)
                .map(|(key, part, date)| {
                    let (child, facility) = match indicator {
                        Indicator::I3 => (None, key),
                        Indicator::I5 => {
                            let r = data.referrals[key as usize];
                            (
                                Some(r.child).filter(|c| (*c as usize) < data.children.len()),
                                r.from,
                            )
                        }
                        _ => (Some(key), data.children[key as usize].facility),
                    };
                    let facility = data
                        .facilities
                        .get(facility as usize)
                        .map_or_else(String::new, |f| f.name.clone());
                    let id = child.map(|c| data.child_ids[c as usize]);
                    let record = id
                        .and_then(|id| records.iter().find(|r| r.id == id))
                        .and_then(|r| Child::from_fields(&r.fields));
                    IndicatorRow {
                        label: record
                            .as_ref()
                            .map_or_else(|| facility.clone(), |c| c.full_name.clone()),
                        child_id: id,
                        age_band: child.map(|c| {
                            shared::indicators::AgeBand::of(data.children[c as usize].born, day)
                        }),
                        sex: record.as_ref().map(|c| c.sex.label(lang).to_string()),
                        ethnicity: record
                            .as_ref()
                            .and_then(|c| shared::ethnicity::label(&c.ethnicity, lang)),
                        facility,
                        date,
                        counted: part == Part::Numerator,
                    }
                })
                .collect();
            Some(RowsView {
                indicator,
                total,
                rows: list,
                hidden: false,
            })
        })
    });
    view! {
        <section class="page">
            <p><A href="/indicators">{move || i18n.report().back}</A></p>
            <h1>{move || (i18n.report().rows_title)(&params.with(|p| p.get("code").unwrap_or_default()))}</h1>
            {move || {
                let view = if aggregate {
                    match server.get() {
                        None => return view! { <p>{i18n.texts().loading}</p> }.into_any(),
                        Some(Some(Ok(v))) => v,
                        Some(Some(Err(f))) => return view! { <p class="notice error" role="alert">{f.message(i18n)}</p> }.into_any(),
                        Some(None) => return ().into_any(),
                    }
                } else {
                    match local.get() {
                        Some(v) => v,
                        None => return view! { <p class="empty">{i18n.texts().not_found}</p> }.into_any(),
                    }
                };
                let lang = i18n.lang_untracked();
                if view.hidden {
                    return view! { <p class="notice info" id="rows-total">{i18n.report().rows_hidden}</p> }.into_any();
                }
                view! {
                    <p class="muted" id="rows-total">{(i18n.report().rows_total)(view.rows.len(), view.total)}</p>
                    {(view.rows.len() < view.total.min(shared::indicators::ROWS_MAX))
                        .then(|| view! { <p class="muted" id="rows-withheld">{i18n.report().rows_withheld}</p> })}
                    <div class="table-wrap" tabindex="0">
                        <table class="data" id="indicator-rows">
                            <thead><tr>
                                <th>{i18n.report().name}</th><th>{i18n.report().age_band}</th><th>{i18n.report().sex}</th>
                                <th>{i18n.report().ethnicity}</th><th>{i18n.report().facility}</th><th>{i18n.report().date}</th><th>{i18n.report().counted}</th>
                            </tr></thead>
                            <tbody>{view.rows.into_iter().map(|row| view! {
                                <tr class:counted=row.counted>
                                    <td>{match row.child_id {
                                        Some(id) => view! { <A href=format!("/children/{id}")>{row.label.clone()}</A> }.into_any(),
                                        None => row.label.clone().into_any(),
                                    }}</td>
                                    <td>{row.age_band.map(|b| b.label(lang))}</td>
                                    <td>{row.sex.clone()}</td>
                                    <td>{row.ethnicity.clone()}</td>
                                    <td>{row.facility.clone()}</td>
                                    <td>{row.date.map(format_date)}</td>
                                    <td>{if row.counted { "✓" } else { "" }}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
