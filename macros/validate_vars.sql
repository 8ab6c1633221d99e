{#-
    on-run-start: stop before anything runs when --vars names a var the project does not know
    (a typo such as `as_of_dat` would otherwise be ignored and the default used), listing the
    known ones (DECISIONLOG D76). dbt keeps the vars given on the command line in
    invocation_args_dict.vars; it offers no list of the project's vars, so known_var_names()
    lists them, and tests_py/test_hostile_inputs_wrong_answers.py fails when it and the vars of
    dbt_project.yml differ.
-#}
{% macro validate_vars() %}
    {%- set given = invocation_args_dict.get('vars') or {} -%}
    {%- if given is string -%}
        {%- set given = fromyaml(given) or {} -%}
    {%- endif -%}
    {%- set unknown = given.keys() | reject('in', known_var_names()) | list | sort -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error(
            "Unknown var" ~ ("s " if unknown | length > 1 else " ") ~ unknown | join(', ')
            ~ " given with --vars. Known vars: " ~ known_var_names() | sort | join(', ')
            ~ " (dbt_project.yml; models/_docs.md documents each).") }}
    {%- endif -%}
    {%- do reporting_currency() -%}
{% endmacro %}

{#- Every var the project reads: the vars of dbt_project.yml, plus raw_data_path (optional). -#}
{% macro known_var_names() -%}
    {{ return([
        'as_of_date', 'business_timezone', 'reporting_currency', 'reject_rate_warn',
        'reject_rate_error', 'plausible_date_min', 'plausible_date_max', 'plausible_date_max_lead_days',
        'as_of_date_max_days_after_data', 'purchase_sources', 'money_total_precision', 'rfm_method',
        'rfm_min_customers', 'rfm_frequency_method',
        'rfm_frequency_fixed_cuts', 'abc_cutoff_a', 'abc_cutoff_b', 'cadence_high_max_days',
        'cadence_medium_max_days', 'renewal_grace_days', 'renewal_tenure_returning_min', 'renewal_tenure_long_term_min',
        'complaint_window_days', 'satisfaction_high_min_csat', 'satisfaction_low_max_csat', 'satisfaction_low_min_complaints',
        'behaviour_min_orders', 'promo_driven_min_share', 'guided_min_share', 'clv_time_unit',
        'lifecycle_new_max_days', 'lifecycle_mature_min_orders', 'lifecycle_mature_min_tenure_days', 'lifecycle_churn_days',
        'lifecycle_at_risk_days', 'lifecycle_at_risk_rhythm_factor', 'lifecycle_at_risk_min_days', 'renewal_reminder_window_days',
        'churn_cohort_max_months', 'history_periods', 'history_period_grain', 'value_tier_order',
        'persisted_comment_max_chars', 'time_spine_start_date', 'time_spine_end_date', 'raw_data_path'
    ]) }}
{%- endmacro %}

{#-
    The reporting currency (var reporting_currency), trimmed and upper-cased as the FX seed
    writes codes (`usd` is USD); a value that is not three letters stops the build here.
    Whether the seed has the code is checked when stg_reference__fx_rates runs.
-#}
{% macro reporting_currency() -%}
    {%- set code = var('reporting_currency') | string | trim | upper -%}
    {%- if not modules.re.match('^[A-Z]{3}$', code) -%}
        {{ exceptions.raise_compiler_error("var reporting_currency must be a three-letter ISO 4217 code present in "
            ~ "seeds/reference/fx_rates.csv, got '" ~ var('reporting_currency') ~ "'") }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}
