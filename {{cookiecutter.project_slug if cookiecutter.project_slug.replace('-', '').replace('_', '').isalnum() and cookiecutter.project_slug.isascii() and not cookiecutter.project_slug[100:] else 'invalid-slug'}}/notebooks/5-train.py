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
# # Train review: the candidates and the chosen model
#
# **Purpose:** Compare the candidates with the baseline and with each other on the primary
# metric, and look at what the chosen model relies on. The Data Scientist presents; the Product
# Manager, the Business Analyst, the Data Analyst and the Domain Expert say what a change in the
# metric means for the business, and whether the features it relies on make sense.
#
# **Decide:** whether the chosen model goes to Test, or what to try next (more data, other
# features, another candidate) and who does it.
#
# **Invite** the people the next cell lists: the stage owner and the roles this stage asks,
# with their owners from `params.yaml`.
{%- else %}
# # 学習のレビュー: 候補のモデルと選んだモデル
#
# **目的:** 主要な評価指標で候補どうし、またベースラインと比べ、選んだモデルが何に頼っているかを見ます。
# データサイエンティストが説明し、プロダクトマネージャー、ビジネスアナリスト、データアナリスト、
# 業務有識者が、評価指標の変化がビジネスにとって何を意味するか、頼っている特徴量が妥当かを答えます。
#
# **決めること:** 選んだモデルをテストに進めるか。進めないなら次に何を試すか（データを増やす、特徴量を変える、
# 別の候補）と、誰が行うか。
#
# **招待する人** は次のセルに表示します。この工程の担当と、この工程が依頼するロールです。担当者は
# `params.yaml` から読みます。
{%- endif %}

# %%
from {{ cookiecutter.module_name }} import review
from {{ cookiecutter.module_name }}.pipeline import Project

STAGE = "train"
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
# `{{ cookiecutter.module_name }}/train/README.md`
# once its result is written down; the next run of this notebook, and
# `python -m {{ cookiecutter.module_name }} checklist`, show it as done.
{%- else %}
# ## 未完了のチェックリスト項目
#
# 各項目を誰がいつまでに閉じるかを決めます。結果を書き残したら、次の文書の項目にチェックを付けます:
# `{{ cookiecutter.module_name }}/train/README.md`
# 次にこのノートブックを実行したとき、また `python -m {{ cookiecutter.module_name }} checklist` で、完了として表示されます。
{%- endif %}

# %%
review.open_items(project, STAGE)
