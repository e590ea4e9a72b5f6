"""What the KPI tab calls each figure, table and column, and each figure's one-line definition, in
English and Russian. `{name}` fields are filled from config (Kpi.params). sheets_schema.md repeats
the English definitions (tests/sheets/test_kpi_sheet.py keeps the two in step)."""

from __future__ import annotations

# key -> (English name, Russian name, English definition, Russian definition)
FIGURES: dict[str, tuple[str, str, str, str]] = {
    "leads_in": (
        "Leads in",
        "Новых заявок",
        "Leads whose Created at falls in the period, rows left alone with a Problem among them.",
        "Лиды, у которых «Дата заявки» попадает в период, в том числе строки с «Проблемой», оставленные без обработки.",
    ),
    "first_contact_on_time": (
        "First contact within deadline",
        "Первый контакт в срок",
        "Of the period's leads past their {deadline_minutes}-working-minute deadline (or touched by hand "
        "before it), opted-out leads nobody touched aside, the share first touched by hand within it.",
        "Из лидов периода, чей срок в {deadline_minutes} рабочих минут прошёл (или кого уже коснулись), "
        "кроме отписавшихся, кого не касались, доля тех, кого первый раз коснулись вручную в срок.",
    ),
    "first_contact_minutes": (
        "Median time to first contact (working minutes)",
        "Медиана времени до первого контакта (рабочих минут)",
        "Median working minutes from Created at to the first manual touch, over the period's leads touched by hand.",
        "Медиана рабочих минут от «Дата заявки» до первого касания вручную, по лидам периода.",
    ),
    "touches": (
        "Touches",
        "Касаний",
        "Touch log rows done by a manager or sent by the worker in the period.",
        "Строки журнала, сделанные менеджером или отправленные за период.",
    ),
    "touches_per_lead": (
        "Touches per lead",
        "Касаний на лида",
        "The period's touches divided by the number of leads they went to.",
        "Касания периода, делённые на число лидов, которых они коснулись.",
    ),
    "warm_per_closing": (
        "Warm per closing touch (target {warm_per_closing:g})",
        "Прогревающих на одно закрывающее (цель {warm_per_closing:g})",
        "Warm touches divided by closing touches in the period; the rule is about {warm_per_closing:g} to 1 (R2).",
        "Прогревающие касания, делённые на закрывающие; правило: около {warm_per_closing:g} к 1 (R2).",
    ),
    "on_due_day": (
        "Touches on their due day",
        "Касания в свой день",
        "Of the manual touches done in the period for a task, the share done by the end of the day it was due.",
        "Из касаний по задачам, сделанных за период, доля сделанных не позже дня, на который они были назначены.",
    ),
    "missed_touches": (
        "Touches done late",
        "Касаний с опозданием",
        "Manual touches done in the period after the day they were due.",
        "Касания по задачам, сделанные за период позже назначенного дня.",
    ),
    "meetings": (
        "Meetings",
        "Встреч",
        "Touch log rows with the result meeting in the period.",
        "Строки журнала касаний с результатом «встреча» за период.",
    ),
    "invoices_issued": (
        "Invoices issued",
        "Выставлено счетов",
        "Leads whose Invoice at falls in the period.",
        "Лиды, у которых «Счёт выставлен» попадает в период.",
    ),
    "invoices_paid": (
        "Invoices paid",
        "Оплачено счетов",
        "Invoices whose Paid at (on or after Invoice at) falls in the period.",
        "Счета, у которых «Оплачен» (не раньше «Счёт выставлен») попадает в период.",
    ),
    "paid_fast": (
        "Paid within {paid_within_days} days",
        "Оплачено за {paid_within_days} дн.",
        "Of the invoices paid in the period, those paid within {paid_within_days} days of Invoice at.",
        "Из оплаченных за период счетов — оплаченные не позже {paid_within_days} дн. после выставления.",
    ),
    "days_to_pay": (
        "Median days to pay",
        "Медиана дней до оплаты",
        "Median days from Invoice at to Paid at, over the invoices paid in the period.",
        "Медиана дней от «Счёт выставлен» до «Оплачен» по счетам, оплаченным за период.",
    ),
    "revenue": (
        "Revenue",
        "Выручка",
        "Invoice amount of the leads whose Paid at falls in the period.",
        "«Сумма счёта» лидов, у которых «Оплачен» попадает в период.",
    ),
    "new_clients": (
        "New clients",
        "Новых клиентов",
        "Leads whose first purchase (Paid at, Last purchase at or a paid result) falls in the period.",
        "Лиды, чья первая покупка («Оплачен», «Последняя покупка» или результат «оплатил») попадает в период.",
    ),
    "won_back": (
        "Clients won back",
        "Возвращённых клиентов",
        "Purchases in the period after a gap longer than the client's average purchase interval "
        "(the average client's for a second purchase) (R8).",
        "Покупки за период после перерыва дольше среднего интервала покупок клиента "
        "(для второй покупки — интервала среднего клиента) (R8).",
    ),
    "costs": (
        "Costs",
        "Расходы",
        "What the Costs tab says was spent this month (costs are typed per month).",
        "Расходы этого месяца по вкладке «Расходы» (они вносятся помесячно).",
    ),
    "cost_per_lead": (
        "Cost per lead",
        "Цена лида",
        "This month's costs divided by this month's leads in.",
        "Расходы месяца, делённые на новые заявки месяца.",
    ),
    "cost_per_client": (
        "Cost per client (CAC)",
        "Цена клиента (CAC)",
        "This month's costs divided by this month's new clients.",
        "Расходы месяца, делённые на новых клиентов месяца.",
    ),
    "weakest_step": (
        "Weakest step",
        "Слабое звено",
        "The funnel step with the lowest conversion from the step before (see Funnel).",
        "Этап воронки с самой низкой конверсией из предыдущего (см. «Воронка»).",
    ),
    "open_leads": (
        "Open leads",
        "Лидов в работе",
        "Leads at stage new, contacted, meeting, proposal or invoice, not opted out.",
        "Лиды на этапах новый, в работе, встреча, КП, счёт, без отписки.",
    ),
    "rows_left_out": (
        "Leads rows left out (see their Problem)",
        "Строк «Лидов» не учтено (см. «Проблема»)",
        "Rows of Leads left alone until the Problem on them is fixed (an ID used twice, a Stage or Created at "
        "that cannot be read): Leads in counts those whose Created at reads and whose ID is their own; no "
        "other figure counts them.",
        "Строки «Лидов», оставленные без обработки, пока не исправлена их «Проблема» (ID повторяется, не "
        "читается «Этап» или «Дата заявки»): «Новых заявок» учитывает те, у которых «Дата заявки» читается, "
        "а ID свой; другие показатели их не учитывают.",
    ),
    "never_contacted": (
        "Leads never contacted",
        "Лидов без контакта",
        "Leads at stage new that have not bought, past their first-contact deadline, with no manual touch.",
        "Лиды на этапе «новый» без покупок, чей срок первого контакта прошёл, без единого касания вручную.",
    ),
    "never_contacted_cost": (
        "Money spent on leads never contacted",
        "Деньги на лидов без контакта",
        "Leads never contacted times the cost per lead (all months).",
        "Лиды без контакта, умноженные на цену лида (все месяцы).",
    ),
    "forgotten": (
        "Forgotten leads",
        "Забытых лидов",
        "Leads with a manual touch waiting for {forgotten_after_days} working days or more (the forgotten flag).",
        "Лиды, у которых касание вручную ждёт {forgotten_after_days} рабочих дн. и больше (отметка «забыт»).",
    ),
    "forgotten_cost": (
        "Money spent on forgotten leads",
        "Деньги на забытых лидов",
        "Forgotten leads times the cost per lead (all months).",
        "Забытые лиды, умноженные на цену лида (все месяцы).",
    ),
    "tasks_due": (
        "Tasks due today",
        "Задач на сегодня",
        "Rows on Due today: manual touches owed by the end of today.",
        "Строки «Задачи на сегодня»: касания вручную, которые нужно сделать до конца дня.",
    ),
    "overdue_tasks": (
        "Overdue tasks",
        "Просроченных задач",
        "Due today rows past their deadline.",
        "Строки «Задачи на сегодня», чей срок прошёл.",
    ),
    "unpaid_invoices": (
        "Unpaid invoices",
        "Неоплаченных счетов",
        "Leads with Invoice at and no Paid at on or after it (lost leads aside).",
        "Лиды со «Счёт выставлен» и без «Оплачен» не раньше него (кроме отказов).",
    ),
    "unpaid_amount": (
        "Unpaid amount",
        "Сумма неоплаченных счетов",
        "Invoice amount of the unpaid invoices.",
        "«Сумма счёта» неоплаченных счетов.",
    ),
    "reactivation_list": (
        "Reactivation list",
        "На реактивации",
        "Clients past their average purchase interval (the reactivation flag, R8).",
        "Клиенты, не покупавшие дольше своего среднего интервала (отметка «реактивация», R8).",
    ),
    "repeat_purchase_rate": (
        "Repeat-purchase rate",
        "Доля повторных покупок",
        "Of the clients who bought at least once, the share who bought twice or more (strong firms: 50%+).",
        "Из купивших хотя бы раз — доля купивших дважды и больше (у сильных компаний 50%+).",
    ),
    "touches_before_purchase": (
        "Touches before the first purchase",
        "Касаний до первой покупки",
        "Average touches a client had up to the day of their first purchase (5-12 is normal), clients who "
        "bought before their Created at (typed in later) aside.",
        "Среднее число касаний клиента до дня первой покупки включительно (норма 5-12), кроме клиентов, "
        "чья первая покупка раньше «Дата заявки» (внесённых позже).",
    ),
    "untouched_clients": (
        "Clients not touched for {untouched_days} days",
        "Клиентов без касаний {untouched_days} дн.",
        "Clients (stage won) with no touch and no purchase in the last {untouched_days} days.",
        "Клиенты (этап «клиент») без касаний и покупок за последние {untouched_days} дн.",
    ),
    "value_at_risk": (
        "Value at risk",
        "Ценность под угрозой",
        "For each such client, {value_lost_per_month:.0%} of their value (their paid invoice, else the average "
        "paid invoice) per {untouched_days} days without a touch (R4).",
        "По каждому такому клиенту {value_lost_per_month:.0%} его ценности (его оплаченный счёт, иначе средний) "
        "за каждые {untouched_days} дн. без касаний (R4).",
    ),
    "spent": (
        "Costs, all months",
        "Расходы, все месяцы",
        "Everything on the Costs tab.",
        "Всё, что внесено на вкладку «Расходы».",
    ),
    "cost_per_lead_all": (
        "Cost per lead, all months",
        "Цена лида, все месяцы",
        "Costs divided by the leads that came in during the months the Costs tab covers.",
        "Расходы, делённые на заявки месяцев, за которые внесены расходы.",
    ),
    "cost_per_client_all": (
        "Cost per client (CAC), all months",
        "Цена клиента (CAC), все месяцы",
        "Costs divided by the clients whose first purchase fell in the months the Costs tab covers.",
        "Расходы, делённые на клиентов, впервые купивших в месяцы, за которые внесены расходы.",
    ),
}

# Section and table titles, column headers: key -> (English, Russian)
HEADERS: dict[str, tuple[str, str]] = {
    "figure": ("Figure", "Показатель"),
    "week": ("This week", "Эта неделя"),
    "month": ("This month", "Этот месяц"),
    "span": ("Last {trend_weeks} weeks", "Последние {trend_weeks} нед."),
    "definitions": ("What each figure means", "Что означает каждый показатель"),
    "now": ("Right now", "Сейчас"),
    "value": ("Value", "Значение"),
    "funnel": ("Funnel", "Воронка"),
    "stage": ("Stage", "Этап"),
    "reached": ("Leads reached", "Дошли до этапа"),
    "conversion": ("Conversion from the step before", "Конверсия из предыдущего"),
    "managers": ("Managers (this month, unless said)", "Менеджеры (этот месяц, если не сказано иначе)"),
    "manager": ("Manager", "Менеджер"),
    "overdue": ("Overdue", "Просрочено"),
    "lead_to_client": ("Lead to client, all time", "Лид → клиент, за всё время"),
    "trend": ("Weekly trend", "Динамика по неделям"),
    "trend_week": ("Week of", "Неделя с"),
    "leads_chart": ("Leads in and new clients per week", "Заявки и новые клиенты по неделям"),
    "discipline_chart": ("Discipline per week", "Дисциплина по неделям"),
}


def name(key: str, locale: str, params: dict) -> str:
    """A figure's or header's name in `locale`."""
    if key in FIGURES:
        english, russian = FIGURES[key][:2]
    else:
        english, russian = HEADERS[key]
    return (russian if locale == "ru" else english).format(**params)


def definition(key: str, locale: str, params: dict) -> str:
    english, russian = FIGURES[key][2:]
    return (russian if locale == "ru" else english).format(**params)
