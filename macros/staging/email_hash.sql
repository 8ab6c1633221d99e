{#-
    The pseudonym of an e-mail address (DECISIONLOG D85): the same address (trimmed,
    lower-cased) always gives the same hash, so customers can still be matched across loads
    without the address being stored.

    With the environment variable TIERING_EMAIL_HASH_KEY set, the hash is keyed:
    sha256(key || '|' || address), hex. Without it, it is the unkeyed md5 of the address, which
    anyone holding a list of addresses can reverse by hashing the list (a dictionary attack).
    The key never appears in the SQL text, so it reaches neither the compiled files in target/
    nor logs/dbt.log: DuckDB reads it from a session variable that the profile sets from the
    environment when dbt connects (profiles.yml `settings`), Spark from its own `${env:...}`
    substitution. NULL when no address is given.
-#}
{% macro email_hash(email) -%}
    {{ return(adapter.dispatch('email_hash', 'customer_tiering')(email)) }}
{%- endmacro %}

{% macro default__email_hash(email) -%}
    {{ dbt.hash('lower(' ~ email ~ ')') }}
{%- endmacro %}

{% macro duckdb__email_hash(email) -%}
    case
        when nullif(getvariable('tiering_email_hash_key'), '') is null then md5(lower({{ email }}))
        else sha256(getvariable('tiering_email_hash_key') || '|' || lower({{ email }}))
    end
{%- endmacro %}

{% macro spark__email_hash(email) -%}
    case
        when '${env:TIERING_EMAIL_HASH_KEY}' in ('', '$' || '{env:TIERING_EMAIL_HASH_KEY}')
            then md5(lower({{ email }}))
        else sha2('${env:TIERING_EMAIL_HASH_KEY}' || '|' || lower({{ email }}), 256)
    end
{%- endmacro %}
