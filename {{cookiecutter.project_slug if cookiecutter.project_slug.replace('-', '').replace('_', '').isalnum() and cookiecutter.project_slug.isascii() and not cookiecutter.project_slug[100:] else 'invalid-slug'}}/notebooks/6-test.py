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
# # Test review: does the model create the value?
#
# **Purpose:** Check the model on the holdout rows against the model requirement and the baseline,
# overall and per segment, with its speed and the value it delivers at the measured quality. The ML
# Engineer presents; the Data Scientist reviews how the model is evaluated; the Architect and the
# DevOps Engineer the service level; the Product Manager and the Domain Expert the system test
# and A/B test; the IT Auditor and the Model Risk Manager sign off the model's risks.
#
# **Decide:** whether the model is released, to an A/B test or to everyone, and what must happen
# first.
#
# **Invite** the people the next cell lists: the stage owner and the roles this stage asks,
# with their owners from `params.yaml`.
{%- else %}
# # テストのレビュー: モデルは価値を生むか
#
# **目的:** ホールドアウトの行で、モデルをモデルの要件とベースラインに照らして確かめます。全体とセグメント別の
# 結果、予測の速さ、測定した品質での価値を見ます。機械学習エンジニアが説明し、データサイエンティストが
# 評価方法を、アーキテクトと DevOpsエンジニアがサービスレベルを、プロダクトマネージャーと業務有識者が
# システムテストと A/Bテストを、IT監査担当者とモデルリスク管理者がモデルのリスクの承認を受け持ちます。
#
# **決めること:** モデルを公開するか（A/Bテストか全員か）、その前に何が必要か。
#
# **招待する人** は次のセルに表示します。この工程の担当と、この工程が依頼するロールです。担当者は
# `params.yaml` から読みます。
{%- endif %}

# %%
from {{ cookiecutter.module_name }} import review
from {{ cookiecutter.module_name }}.pipeline import Project

STAGE = "evaluate"
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
# `{{ cookiecutter.module_name }}/evaluate/README.md` or `docs/checklists/timeline.md`
# once its result is written down; the next run of this notebook, and
# `python -m {{ cookiecutter.module_name }} checklist`, show it as done.
{%- else %}
# ## 未完了のチェックリスト項目
#
# 各項目を誰がいつまでに閉じるかを決めます。結果を書き残したら、次の文書の項目にチェックを付けます:
# `{{ cookiecutter.module_name }}/evaluate/README.md` または `docs/checklists/timeline.md`
# 次にこのノートブックを実行したとき、また `python -m {{ cookiecutter.module_name }} checklist` で、完了として表示されます。
{%- endif %}

# %%
review.open_items(project, STAGE)
