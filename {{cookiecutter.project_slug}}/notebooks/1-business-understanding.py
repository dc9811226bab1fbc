{% from "review_notebook.j2" import front, open_items with context -%}
{% set purpose -%}
{%- if cookiecutter.language != "ja" %}
# # Business Understanding review: the value of ML and its payback
#
# **Purpose:** Agree on what the ML feature is worth before any model work. The Product Manager
# presents the value formula with the figures in `params.yaml`; the Domain Expert checks the
# formula and the effect per item; the System Admin and the IT Auditor bring what past
# investments cost to develop and run.
#
# **Decide:** whether the figures are credible and each has an owner, whether the payback period
# justifies going on to Analyze, and what goes into sections 7 and 8 of
# `docs/business-understanding.md`.
{%- else %}
# # ビジネス理解のレビュー: ML の価値と投資回収
#
# **目的:** モデルに手を付ける前に、ML の機能にどれだけの価値があるかを合意します。プロダクトマネージャーが
# `params.yaml` の数値で価値の計算式を説明し、業務有識者が計算式と1件あたりの効果を確かめ、
# システム管理者と IT監督者が過去の投資の開発・運用コストの実績を持ち寄ります。
#
# **決めること:** 数値が信頼でき、それぞれに担当者がいるか。回収期間から見てデータ分析に進む価値があるか。
# `docs/business-understanding.md` の 7 と 8 に何を書くか。
{%- endif %}
{%- endset -%}
{{ front("business_understanding", purpose) }}

# %% [markdown]
{%- if cookiecutter.language != "ja" %}
# ## The value formula
#
# Every input comes from the `value:` section of `params.yaml`; change them there.
{%- else %}
# ## 価値の計算式
#
# 入力値はすべて `params.yaml` の `value:` から読みます。値はそちらで変えてください。
{%- endif %}

# %%
review.value_formula(project)

# %% [markdown]
{%- if cookiecutter.language != "ja" %}
# ## Is the value report up to date?
#
# It is made here when it is missing; otherwise this says when it was made. After changing
# `params.yaml`, set `rerun=True` to make it again from the new figures.
{%- else %}
# ## 価値のレポートは最新か
#
# レポートがないときは、ここで作ります。あるときは、いつ作ったものかを表示します。`params.yaml` を
# 変えた後は、`rerun=True` にして新しい数値で作り直します。
{%- endif %}

# %%
review.ensure_run(project, STAGE, rerun=False)

# %% [markdown]
{%- if cookiecutter.language != "ja" %}
# ## Value report and payback chart
#
# The same report as `python -m {{ cookiecutter.module_name }} value`: value per month, payback, and the
# cumulative value against the cost. Once the Test stage has run, a second line shows the value at
# the measured quality.
{%- else %}
# ## 価値のレポートと投資回収のグラフ
#
# `python -m {{ cookiecutter.module_name }} value` と同じレポートです。月あたりの価値、回収期間、累積の価値とコストを示します。
# テストのプロセスを実行した後は、測定した品質での価値も表示します。
{%- endif %}

# %%
review.show_report(project, STAGE)

# %% [markdown]
{%- if cookiecutter.language != "ja" %}
# ## What if?
#
# Try other figures in the meeting without editing `params.yaml`: change the inputs in this cell
# (users, items_per_user, effect_per_item, cost_per_error, development_cost,
# operation_cost_per_month, and share_correct for a model that is not always right) and run it.
{%- else %}
# ## もし〜だったら？
#
# `params.yaml` を変えずに、会議の場で別の数値を試せます。このセルの入力値（users, items_per_user,
# effect_per_item, cost_per_error, development_cost, operation_cost_per_month、いつも正しいとは限らない
# モデルなら share_correct）を変えて実行します。
{%- endif %}

# %%
review.what_if(project, users=500, effect_per_item=20, share_correct=0.9)

{{ open_items() }}
