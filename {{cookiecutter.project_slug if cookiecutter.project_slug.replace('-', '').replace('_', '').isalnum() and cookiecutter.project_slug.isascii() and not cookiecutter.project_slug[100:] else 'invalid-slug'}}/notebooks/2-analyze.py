# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
{%- if cookiecutter.language != "ja" %}
# # Analyze review: what the data says
#
# **Purpose:** Go through the diagnosis with the people who know the data. The Data Analyst
# presents the findings and figures; the Domain Expert says which outliers and missing values
# are errors and which are real cases; the Data Architect and the Data Engineer confirm where the
# data lives, who grants access and how personal data is protected.
#
# **Decide:** which findings block Train, which Prepare fixes and how, and whether the columns
# that look like personal data may be used.
#
# **Invite** the people the next cell lists: the stage owner and the roles this stage asks,
# with their owners from `params.yaml`.
{%- else %}
# # データ分析のレビュー: データから分かったこと
#
# **目的:** データをよく知る人たちと診断を読み合わせます。データアナリストが指摘と図を説明し、
# 業務有識者が外れ値と欠損値のどれが誤りでどれが本当の値かを答え、データアーキテクトとデータエンジニアが
# データの所在、アクセスの許可者、個人データの保護のしかたを確かめます。
#
# **決めること:** どの指摘が学習を止めるか、どれをデータ準備でどう直すか、個人情報に見える列を使ってよいか。
#
# **招待する人** は次のセルに表示します。この工程の担当と、この工程が依頼するロールです。担当者は
# `params.yaml` から読みます。
{%- endif %}

# %%
from {{ cookiecutter.module_name }} import review
from {{ cookiecutter.module_name }}.pipeline import Project

STAGE = "analyze"
project = Project.load()  # the project whose params.yaml is in this folder or above it
review.invitation(project, STAGE)

# %% [markdown]
{%- if cookiecutter.language != "ja" %}
# ## The run under review
#
# The stage runs here only when its outputs are missing (earlier stages too, if theirs are);
# otherwise this says which run the meeting sees and how to run it again.
{%- else %}
# ## レビューする実行結果
#
# 出力がないときだけ、ここで工程を実行します（前の工程の出力がなければ、その工程も）。
# 出力があるときは、会議で見る実行結果の日時と、実行し直す方法を表示します。
{%- endif %}

# %%
review.ensure_run(project, STAGE, rerun=False)

# %% [markdown]
{%- if cookiecutter.language != "ja" %}
# ## Report
{%- else %}
# ## レポート
{%- endif %}

# %%
review.show_report(project, STAGE)

# %% [markdown]
{%- if cookiecutter.language != "ja" %}
# ## Open checklist items
#
# Agree who closes each item and by when. Tick an item in
# `{{ cookiecutter.module_name }}/analyze/README.md`
# once its result is written down; the next run of this notebook, and
# `python -m {{ cookiecutter.module_name }} checklist`, show it as done.
{%- else %}
# ## 未完了のチェックリスト項目
#
# 各項目を誰がいつまでに閉じるかを決めます。結果を書き残したら、次の文書の項目にチェックを付けます:
# `{{ cookiecutter.module_name }}/analyze/README.md`
# 次にこのノートブックを実行したとき、また `python -m {{ cookiecutter.module_name }} checklist` で、完了として表示されます。
{%- endif %}

# %%
review.open_items(project, STAGE)
