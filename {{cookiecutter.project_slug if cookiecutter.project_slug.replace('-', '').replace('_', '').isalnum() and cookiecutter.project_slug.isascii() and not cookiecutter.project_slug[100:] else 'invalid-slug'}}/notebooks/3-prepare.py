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
# # Prepare review: what was cleaned and split, and what data to ask for
#
# **Purpose:** Check that the cleansing follows the decisions of the Analyze review, that the
# holdout rows are kept apart for Test, and, when rows or labels are too few, read the draft data
# request together. The Data Engineer presents; the Product Manager owns the request; the Domain
# Expert says what collecting or labelling the missing data takes.
#
# **Decide:** whether every cleansing rule is right, and whether the Product Manager sends the data
# request (its 5W1H completed) to the Domain Expert, and by when.
#
# **Invite** the people the next cell lists: the stage owner and the roles this stage asks,
# with their owners from `params.yaml`.
{%- else %}
# # データ準備のレビュー: クレンジングと分割、依頼するデータ
#
# **目的:** クレンジングがデータ分析のレビューで決めたとおりか、ホールドアウトの行がテスト用に
# 分けてあるかを確かめます。件数やラベルが足りないときは、データ依頼の下書きを一緒に読みます。
# データエンジニアが説明し、プロダクトマネージャーが依頼を受け持ち、業務有識者が不足データの収集や
# ラベル付けに必要なことを答えます。
#
# **決めること:** クレンジングのルールがすべて正しいか。プロダクトマネージャーがデータ依頼（5W1H を埋めたもの）を
# 業務有識者に送るか、いつまでに送るか。
#
# **招待する人** は次のセルに表示します。この工程の担当と、この工程が依頼するロールです。担当者は
# `params.yaml` から読みます。
{%- endif %}

# %%
from {{ cookiecutter.module_name }} import review
from {{ cookiecutter.module_name }}.pipeline import Project

STAGE = "prepare"
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
# `{{ cookiecutter.module_name }}/prepare/README.md`
# once its result is written down; the next run of this notebook, and
# `python -m {{ cookiecutter.module_name }} checklist`, show it as done.
{%- else %}
# ## 未完了のチェックリスト項目
#
# 各項目を誰がいつまでに閉じるかを決めます。結果を書き残したら、次の文書の項目にチェックを付けます:
# `{{ cookiecutter.module_name }}/prepare/README.md`
# 次にこのノートブックを実行したとき、また `python -m {{ cookiecutter.module_name }} checklist` で、完了として表示されます。
{%- endif %}

# %%
review.open_items(project, STAGE)
