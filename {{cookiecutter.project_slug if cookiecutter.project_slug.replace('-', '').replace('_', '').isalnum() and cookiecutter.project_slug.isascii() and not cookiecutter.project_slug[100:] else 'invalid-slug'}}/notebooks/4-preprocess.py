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
# # Preprocess review: how the data becomes features
#
# **Purpose:** Check how each column turns into model input. The Data Engineer presents the
# treatment of every kind of column; the Data Analyst compares it with how the same data is
# preprocessed today, so the model sees the data the same way.
#
# **Decide:** whether each treatment is right (in particular which categories have an order and
# belong under `preprocess.ordinal_columns` in `params.yaml`), and whether the features are ready
# for Train.
#
# **Invite** the people the next cell lists: the stage owner and the roles this stage asks,
# with their owners from `params.yaml`.
{%- else %}
# # 前処理のレビュー: データを特徴量にする方法
#
# **目的:** 各列がどのようにモデルの入力になるかを確かめます。データエンジニアが列の種類ごとの扱いを
# 説明し、データアナリストが現在の同じデータの前処理と比べて、モデルが同じ形でデータを受け取れるかを確かめます。
#
# **決めること:** それぞれの扱いが正しいか（特に、順序のあるカテゴリーとして `params.yaml` の
# `preprocess.ordinal_columns` に入れる列はどれか）。特徴量が学習に進める状態か。
#
# **招待する人** は次のセルに表示します。この工程の担当と、この工程が依頼するロールです。担当者は
# `params.yaml` から読みます。
{%- endif %}

# %%
from {{ cookiecutter.module_name }} import review
from {{ cookiecutter.module_name }}.pipeline import Project

STAGE = "preprocess"
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
# `{{ cookiecutter.module_name }}/preprocess/README.md`
# once its result is written down; the next run of this notebook, and
# `python -m {{ cookiecutter.module_name }} checklist`, show it as done.
{%- else %}
# ## 未完了のチェックリスト項目
#
# 各項目を誰がいつまでに閉じるかを決めます。結果を書き残したら、次の文書の項目にチェックを付けます:
# `{{ cookiecutter.module_name }}/preprocess/README.md`
# 次にこのノートブックを実行したとき、また `python -m {{ cookiecutter.module_name }} checklist` で、完了として表示されます。
{%- endif %}

# %%
review.open_items(project, STAGE)
