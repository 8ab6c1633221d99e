{#-
    One row per subscription period of the clean renewals (every date, not yet cut at the as-of
    date): when and how the period was paid for, and its place in the subscription's unbroken
    run of renewals. Doc block `subscription_payment`. The as-of date itself is derived from
    these payment dates, so the cut happens in the models that read this one.
-#}
with

renewals as (
    select
        subscription_id,
        customer_id,
        billing_cycle,
        period_start,
        period_start_date,
        period_end_date,
        renewed_at,
        renewed_date,
        amount
    from {{ ref('stg_raw__renewals') }}
    {#- the load gate, read at run time: this model is built before int_as_of_date (D72) #}
    where (
        select count(*) from {{ ref('stg_raw__load_gate') }} as load_gate
        where load_gate.passed
    ) > 0
),

periods_with_previous as (
    select
        *,
        row_number() over (
            partition by subscription_id, customer_id
            order by period_start asc
        ) as period_number,
        lag(renewed_at) over (
            partition by subscription_id, customer_id
            order by period_start asc
        ) as previous_renewed_at,
        lag(renewed_date) over (
            partition by subscription_id, customer_id
            order by period_start asc
        ) as previous_renewed_date
    from renewals
),

periods_paid as (
    {#- The first period is paid when it starts; a later one by the renewal of the period before
        it; a later one whose predecessor was never renewed is a restart, paid when it starts. -#}
    select
        *,
        case
            when period_number = 1 then 'first_period'
            when previous_renewed_at is not null then 'renewal'
            else 'restart'
        end as paid_by,
        coalesce(previous_renewed_at, period_start) as paid_at,
        coalesce(previous_renewed_date, period_start_date) as paid_date
    from periods_with_previous
),

periods_chained as (
    select
        *,
        sum(case when paid_by = 'restart' then 1 else 0 end) over (
            partition by subscription_id, customer_id
            order by period_start asc
            rows between unbounded preceding and current row
        ) as restarts_so_far,
        max(paid_date) over (
            partition by subscription_id, customer_id
            order by period_start asc
            rows between unbounded preceding and current row
        ) as paid_through_date
    from periods_paid
),

final as (
    select
        {{ dbt.concat([
            "subscription_id",
            "'|'",
            "cast(period_start as " ~ dbt.type_string() ~ ")",
        ]) }} as subscription_period_id,
        subscription_id,
        customer_id,
        billing_cycle,
        cast(period_number as {{ dbt.type_bigint() }}) as period_number,
        period_start,
        period_start_date,
        period_end_date,
        paid_by,
        paid_at,
        paid_date,
        paid_through_date,
        case
            when restarts_so_far = 0 then cast(period_number - 1 as {{ dbt.type_bigint() }})
        end as periods_since_start,
        amount,
        amount > 0 as is_paid
    from periods_chained
)

select * from final
