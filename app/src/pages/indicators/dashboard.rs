//! The dashboard itself: one card per indicator against its target, the referral loop, the
//! monthly trend, the units furthest from target and the breakdowns; the report's downloads.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::indicators::{
    breakdown_label, definitions, ActivityLine, Count, Definition, Indicator, IndicatorsView, Line,
    Ratio, Report, Suppression, Unit,
};
use shared::lang::format_date;

use super::charts::{MonthlyBars, MonthlyLine, TargetBar};
use super::{suppression, Choice};
use crate::api::{use_api, ApiFailure};
use crate::i18n::{use_i18n, I18n};

fn percent_text(s: Suppression, r: Ratio, lang: shared::lang::Lang) -> String {
    s.percent(r, lang)
}

#[component]
pub fn Dashboard(
    shown: IndicatorsView,
    choice: Choice,
    /// A submitted copy: printed, never downloaded again or opened into rows.
    #[prop(optional)]
    frozen: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let s = suppression(&shown);
    let report = shown.report.clone();
    let lang = i18n.lang_untracked();
    let query = choice.query();
    let cards = [
        (Indicator::I1, report.i1),
        (Indicator::I2, report.i2),
        (Indicator::I3, report.i3),
        (Indicator::I4, report.i4),
    ];
    let still_open = s.count_in(&report, "i1_still_open", report.i1_still_open);
    let furthest = furthest_from_target(&report, 5);
    let count = |key: &str, value: u32| s.count_in(&report, key, value);
    let title = choice.span.title(lang);
    view! {
        // On paper (A4) the page opens as an administrative report does.
        <header class="print-only print-heading">
            <p class="print-motto"><strong>{i18n.report().print_nation}</strong><br/><strong>{i18n.report().print_motto}</strong></p>
            <p><strong>{shown.scope.to_uppercase()}</strong></p>
            <h2 id="print-title">{title}</h2>
        </header>
        <p class="lead" id="indicator-scope">{(i18n.report().as_of)(&shown.scope, &format_date(report.period.from), &format_date(report.as_of))}</p>
        <p class="muted">{if shown.aggregate { (i18n.report().aggregate)(s.below) } else { i18n.report().local.to_string() }}</p>
        <Downloads choice=choice aggregate=shown.aggregate frozen=frozen/>
        <div class="indicator-grid">
            {cards.into_iter().zip(definitions(lang)).map(|((indicator, ratio), def)| {
                let note = (indicator == Indicator::I1).then(|| (i18n.report().still_open)(&still_open));
                // Schools are not persons: I3 is never hidden, so its small counts are shown too.
                let s = if indicator == Indicator::I3 { Suppression::NONE } else { s };
                view! { <IndicatorCard indicator=indicator ratio=ratio def=def s=s query=query.clone() note=note rows=!frozen/> }
            }).collect_view()}
        </div>
        <LoopCard report=report.clone() s=s query=query.clone() rows=!frozen/>
        <TrendCard report=report.clone() s=s/>
        <CareCard report=report.clone() s=s/>
        <ActivitiesCard lines=report.activities.clone()/>
        {(!furthest.is_empty()).then(|| view! {
            <article class="card" id="indicator-furthest">
                <h2>{i18n.report().furthest}</h2>
                <ol>{furthest.into_iter().map(|u| view! { <li>{u.name.clone()} " — " {s.percent(u.i1, i18n.lang())} <span class="muted">" (I4 " {s.percent(u.i4, i18n.lang())} ")"</span></li> }).collect_view()}</ol>
            </article>
        })}
        <article class="card" id="indicator-breakdowns">
            <div class="breakdowns">
                <Breakdown title=i18n.report().by_age lines=report.i4_by_age.clone() s=s group="age"/>
                <Breakdown title=i18n.report().by_sex lines=report.i4_by_sex.clone() s=s group="sex"/>
                <Breakdown title=i18n.report().by_ethnicity lines=report.i4_by_ethnicity.clone() s=s group="ethnicity"/>
                <Breakdown title=i18n.report().by_care lines=report.i2_by_care.clone() s=s group="care" indicator="I2"/>
            </div>
            <h3>{i18n.report().by_instrument}</h3>
            <div class="table-wrap" tabindex="0">
            <table class="data">
                <thead><tr><th>{i18n.report().instrument}</th><th>{i18n.report().screenings}</th><th>{i18n.report().positive}</th></tr></thead>
                <tbody>{report.by_instrument.iter().map(|l| view! {
                    <tr>
                        <td>{shared::instrument::find(&l.instrument).map_or(l.instrument.clone(), |i| i.name.get(lang).to_string())}</td>
                        <td>{count(&format!("instrument.{}.screenings", l.instrument), l.screenings)}</td>
                        <td>{count(&format!("instrument.{}.positive", l.instrument), l.positive)}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            </div>
        </article>
        <footer class="print-only print-signatures" id="print-signatures">
            <div><strong>{i18n.report().print_prepared_by}</strong><br/><em>{i18n.report().print_sign_name}</em></div>
            <div><em>{(i18n.report().print_dated)(&format_date(report.as_of))}</em><br/><strong>{i18n.report().print_head}</strong><br/><em>{i18n.report().print_sign_seal}</em></div>
        </footer>
    }
}

/// The units furthest from I1's target: the areas when there are several, else the facilities;
/// those with hidden or no figures are left out.
fn furthest_from_target(report: &Report, at_most: usize) -> Vec<Unit> {
    let units = if report.areas.len() > 1 {
        &report.areas
    } else {
        &report.facilities
    };
    let mut furthest: Vec<Unit> = units
        .iter()
        .filter(|u| !u.i1.is_hidden() && u.i1.denominator > 0)
        .cloned()
        .collect();
    furthest.sort_by(|a, b| {
        a.i1.percent()
            .unwrap_or(0.0)
            .total_cmp(&b.i1.percent().unwrap_or(0.0))
    });
    furthest.truncate(at_most);
    furthest
}

/// The report's downloads (Excel, CSV, ADX for an aggregate view) and print.
#[component]
fn Downloads(choice: Choice, aggregate: bool, frozen: bool) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let failure = RwSignal::new(None::<String>);
    let export_query = StoredValue::new(choice.query());
    let span = choice.span;
    let download = move |format: &'static str| {
        // ADX (for DHIS2) covers the user's whole area for the chosen period.
        let (path, name) = if format == "adx" {
            let period = span.code();
            (
                format!("/api/adx?period={period}"),
                format!("adx-{period}.xml"),
            )
        } else {
            (
                format!(
                    "/api/indicators/export?format={format}&{}",
                    export_query.get_value()
                ),
                format!("bao-cao.{format}"),
            )
        };
        spawn_local(async move {
            match api.download(&path, &name).await {
                Ok(()) => failure.set(None),
                Err(ApiFailure::Unreachable) => {
                    failure.set(Some(i18n.report().export_offline.into()))
                }
                Err(other) => failure.set(Some(other.message(i18n))),
            }
        });
    };
    view! {
        <p class="actions no-print">
            {(!frozen).then(|| view! {
                <button type="button" class="button primary" id="export-excel" on:click=move |_| download("xlsx")>{i18n.report().export_excel}</button>
                <button type="button" class="button secondary" id="export-csv" on:click=move |_| download("csv")>{i18n.report().export_csv}</button>
            })}
            {(aggregate && !frozen).then(|| view! {
                <button type="button" class="button secondary" id="export-adx" on:click=move |_| download("adx")>{i18n.report().export_adx}</button>
            })}
            <button type="button" class="button secondary" on:click=|_| { let _ = window().print(); }>{i18n.report().print}</button>
        </p>
        {move || failure.get().map(|f| view! { <p class="notice error" role="alert">{f}</p> })}
    }
}

/// One indicator against its target, with its definition and the way to the rows behind it.
#[component]
fn IndicatorCard(
    indicator: Indicator,
    ratio: Ratio,
    def: Definition,
    s: Suppression,
    query: String,
    note: Option<String>,
    /// Whether the card opens into the rows behind it.
    rows: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let (n, d) = s.ratio(ratio);
    let percent = ratio.percent();
    let target = indicator.target();
    let met = match (percent, target) {
        (Some(p), Some(t)) => Some(p >= t),
        _ => None,
    };
    let link = rows.then(|| format!("/indicators/rows/{}?{}", indicator.code(), query));
    view! {
        <article class="card indicator" id=format!("indicator-{}", indicator.code()) data-percent=percent.map(|p| format!("{p:.1}")).unwrap_or_default()>
            <h2>{def.title}</h2>
            <p class="big-figure">{percent_text(s, ratio, i18n.lang())}</p>
            <p class="muted">{(i18n.report().of)(&n, &d)}
                {target.map(|t| view! { " · " {(i18n.report().target)(t)} })}
                {met.map(|m| view! { " " <span class=if m { "badge ok" } else { "badge warn" }>{if m { i18n.report().met } else { i18n.report().not_met }}</span> })}
            </p>
            <TargetBar percent=percent target=target label=def.title.to_string()/>
            {note.map(|note| view! { <p class="muted">{note}</p> })}
            <details>
                <summary>{i18n.report().definition}</summary>
                <p><strong>{i18n.report().numerator} ": "</strong>{def.numerator}</p>
                <p><strong>{i18n.report().denominator} ": "</strong>{def.denominator}</p>
                {(!def.notes.is_empty()).then(|| view! { <p class="muted">{def.notes}</p> })}
            </details>
            {link.map(|href| view! { <p class="no-print"><A href=href>{i18n.report().open_rows}</A></p> })}
        </article>
    }
}

/// I5, the referral loop: sent, times to each step, declined, feedback, overdue, and by route.
#[component]
fn LoopCard(report: Report, s: Suppression, query: String, rows: bool) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang_untracked();
    let i5 = report.i5.clone();
    let networks = (report.networks_working, report.networks);
    let count = move |key: &str, value: u32| s.count_in(&report, key, value);
    let days = |d: Option<f64>| d.map_or_else(|| "—".to_string(), |d| i18n.lang().decimal(d, 1));
    view! {
        <article class="card" id="indicator-I5">
            <h2>{i18n.report().loop_title}</h2>
            <dl class="facts">
                <dt>{i18n.report().sent}</dt><dd id="i5-sent">{count("i5.sent", i5.sent)}</dd>
                <dt>{i18n.report().hours_to_received}</dt><dd>{days(i5.median_days_to_received.map(|d| d * 24.0))}</dd>
                <dt>{i18n.report().days_to_attended}</dt><dd>{days(i5.median_days_to_attended)}</dd>
                <dt>{i18n.report().declined}</dt><dd>{s.percent(i5.declined, i18n.lang())}</dd>
                <dt>{i18n.report().feedback}</dt><dd>{s.percent(i5.feedback, i18n.lang())}</dd>
                <dt>{i18n.report().open_overdue}</dt><dd>{count("i5.open_overdue", i5.open_overdue)}</dd>
            </dl>
            {(!i5.by_route.is_empty()).then(|| view! {
                <h3>{i18n.report().by_route}</h3>
                <dl class="facts" id="i5-routes">
                    {i5.by_route.iter().map(|r| view! {
                        <dt>{breakdown_label("route", &r.key, lang)}</dt>
                        <dd>{count(&format!("i5.route.{}", r.key), r.count)}</dd>
                    }).collect_view()}
                </dl>
            })}
            {(networks.1 > 1).then(|| view! {
                <p id="networks">{(i18n.report().networks)(networks.0, networks.1)}</p>
            })}
            {rows.then(|| view! { <p class="no-print"><A href=format!("/indicators/rows/I5?{query}")>{i18n.report().open_rows}</A></p> })}
        </article>
    }
}

/// What the plans count of children's care: orphans by their loss, children in special
/// circumstances and those supported, sessions by kind, hotline 111 calls (small counts hidden
/// in aggregate views, as everywhere).
#[component]
fn CareCard(report: Report, s: Suppression) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang_untracked();
    let report = StoredValue::new(report);
    let count = move |key: &str, value: u32| report.with_value(|r| s.count_in(r, key, value));
    let report = report.get_value();
    let o = report.orphans;
    let orphans = [
        (
            i18n.report().orphans_both,
            "orphans.both_parents",
            o.both_parents,
        ),
        (
            i18n.report().orphans_one,
            "orphans.one_parent",
            o.one_parent,
        ),
        (
            i18n.report().orphans_unrecorded,
            "orphans.unrecorded",
            o.unrecorded,
        ),
        (i18n.report().orphans_covid, "orphans.covid19", o.covid19),
    ];
    // Children, supported, and the share when neither count is hidden.
    let line = |key: &str, label: String, children: u32, supported: u32| {
        let (of, part) = (format!("{key}.children"), format!("{key}.supported"));
        let shown = Suppression::hidden_in(&report, &of).is_none()
            && Suppression::hidden_in(&report, &part).is_none()
            && children > 0;
        let share = if shown {
            lang.percent(f64::from(supported) * 100.0 / f64::from(children))
        } else {
            "—".to_string()
        };
        (label, count(&of, children), count(&part, supported), share)
    };
    let mut groups: Vec<(String, String, String, String)> = report
        .circumstances
        .iter()
        .map(|l| {
            let label = shared::care::circumstance_label(&l.code, lang).to_string();
            line(
                &format!("circumstance.{}", l.code),
                label,
                l.children,
                l.supported,
            )
        })
        .collect();
    groups.push(line(
        "circumstances",
        i18n.report().circumstances_all.to_string(),
        report.circumstances_children,
        report.circumstances_supported,
    ));
    let sessions: Vec<(String, String, String)> = report
        .sessions
        .iter()
        .map(|l| {
            let key = format!("session.{}", l.kind);
            let label = shared::care::SessionKind::from_code(&l.kind)
                .map_or_else(|| l.kind.clone(), |k| k.label(lang).to_string());
            (
                label,
                count(&format!("{key}.sessions"), l.sessions),
                count(&format!("{key}.children"), l.children),
            )
        })
        .collect();
    let mut conditions: Vec<(String, String)> = report
        .conditions
        .iter()
        .map(|c| {
            (
                breakdown_label("condition", &c.key, lang),
                count(&format!("condition.{}", c.key), c.count),
            )
        })
        .collect();
    conditions.push((
        i18n.report().conditions_any.to_string(),
        count("conditions.children", report.conditions_children),
    ));
    view! {
        <article class="card" id="indicator-care">
            <h2>{i18n.report().orphans_title}</h2>
            <dl class="facts" id="orphans">
                {orphans.into_iter().map(|(label, key, value)| view! {
                    <dt>{label}</dt><dd data-key=key>{count(key, value)}</dd>
                }).collect_view()}
            </dl>
            <h3>{i18n.report().circumstances_title}</h3>
            <div class="table-wrap" tabindex="0">
            <table class="data" id="circumstances">
                <thead><tr>
                    <th>{i18n.report().circumstances_group}</th>
                    <th>{i18n.report().circumstances_children}</th>
                    <th>{i18n.report().circumstances_supported}</th>
                    <th>{i18n.report().circumstances_share}</th>
                </tr></thead>
                <tbody>{groups.into_iter().map(|(label, children, supported, share)| view! {
                    <tr><td>{label}</td><td>{children}</td><td>{supported}</td><td>{share}</td></tr>
                }).collect_view()}</tbody>
            </table>
            </div>
            <h3>{i18n.report().conditions_title}</h3>
            <dl class="facts" id="conditions">
                {conditions.into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view()}
            </dl>
            <h3>{i18n.report().support_title}</h3>
            <div class="table-wrap" tabindex="0">
            <table class="data" id="sessions-by-kind">
                <thead><tr>
                    <th>{i18n.report().support_kind}</th>
                    <th>{i18n.report().support_sessions}</th>
                    <th>{i18n.report().support_children}</th>
                </tr></thead>
                <tbody>{sessions.into_iter().map(|(label, held, children)| view! {
                    <tr><td>{label}</td><td>{held}</td><td>{children}</td></tr>
                }).collect_view()}</tbody>
            </table>
            </div>
            <dl class="facts">
                <dt>{i18n.report().support_reached}</dt>
                <dd id="sessions-reached">{count("sessions.children", report.sessions_children)}</dd>
                <dt>{i18n.report().hotline_calls}</dt>
                <dd id="hotline-calls">{count("hotline_calls", report.hotline_calls)}</dd>
            </dl>
        </article>
    }
}

/// The programme's activities of the period: held and people reached by kind, and those trained
/// by group (counts of events and people, never hidden).
#[component]
fn ActivitiesCard(lines: Vec<ActivityLine>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = i18n.lang_untracked();
    let trained: Vec<Count> = lines
        .iter()
        .flat_map(|l| l.trained.iter().cloned())
        .filter(|c| c.count > 0)
        .collect();
    view! {
        <article class="card" id="indicator-activities">
            <h2>{i18n.report().activities}</h2>
            <div class="table-wrap" tabindex="0">
            <table class="data">
                <thead><tr><th>{i18n.texts().activity_kind}</th><th>{i18n.report().activities_held}</th><th>{i18n.report().activities_people}</th></tr></thead>
                <tbody>{lines.into_iter().map(|l| view! {
                    <tr data-kind=l.kind.clone()>
                        <td>{breakdown_label("activity", &l.kind, lang)}</td>
                        <td>{lang.decimal(f64::from(l.held), 0)}</td>
                        <td>{lang.decimal(f64::from(l.participants), 0)}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            </div>
            {(!trained.is_empty()).then(|| view! {
                <h3>{i18n.report().activities_trained}</h3>
                <dl class="facts" id="activities-trained">
                    {trained.into_iter().map(|c| view! {
                        <dt>{breakdown_label("trainee", &c.key, lang)}</dt>
                        <dd>{lang.decimal(f64::from(c.count), 0)}</dd>
                    }).collect_view()}
                </dl>
            })}
        </article>
    }
}

/// The monthly trend: I1 against its target, and screenings per month.
#[component]
fn TrendCard(report: Report, s: Suppression) -> impl IntoView {
    let i18n = use_i18n();
    let months: Vec<String> = report
        .months
        .iter()
        .map(|m| format!("{:02}", m.month))
        .collect();
    let i1_points: Vec<(String, Option<f64>)> = report
        .months
        .iter()
        .zip(&months)
        .map(|(m, label)| (label.clone(), m.i1.percent()))
        .collect();
    let screening_bars: Vec<(String, u32, Option<String>)> = report
        .months
        .iter()
        .zip(&months)
        .map(|(m, label)| {
            let key = format!("month.{}-{:02}.screenings", m.year, m.month);
            let hidden = Suppression::hidden_in(&report, &key).map(|why| s.marker(why));
            (label.clone(), m.screenings, hidden)
        })
        .collect();
    view! {
        <article class="card" id="indicator-trend">
            <h2>{i18n.report().trend}</h2>
            <div class="chart-pair">
                <figure>
                    <MonthlyLine points=i1_points target=Indicator::I1.target() label=i18n.report().trend_i1.to_string()/>
                    <figcaption>{i18n.report().trend_i1}</figcaption>
                </figure>
                <figure>
                    <MonthlyBars values=screening_bars label=i18n.report().trend_screenings.to_string()/>
                    <figcaption>{i18n.report().trend_screenings}</figcaption>
                </figure>
            </div>
        </article>
    }
}

#[component]
fn Breakdown(
    title: &'static str,
    lines: Vec<Line>,
    s: Suppression,
    group: &'static str,
    /// The indicator the lines break down.
    #[prop(default = "I4")]
    indicator: &'static str,
) -> impl IntoView {
    let i18n: I18n = use_i18n();
    let lang = i18n.lang_untracked();
    view! {
        <div id=format!("breakdown-{group}")>
            <h3>{title} " (" {indicator} ")"</h3>
            <div class="table-wrap" tabindex="0">
            <table class="data">
                <tbody>{lines.into_iter().map(|l| {
                    let (n, d) = s.ratio(l.ratio);
                    view! { <tr><td>{breakdown_label(group, &l.key, lang)}</td><td>{(i18n.report().of)(&n, &d)}</td><td>{s.percent(l.ratio, lang)}</td></tr> }
                }).collect_view()}</tbody>
            </table>
            </div>
        </div>
    }
}
