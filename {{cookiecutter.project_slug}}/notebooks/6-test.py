{% from "review_notebook.j2" import stage_notebook with context -%}
{% call stage_notebook("test") -%}
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
{%- else %}
# # テストのレビュー: モデルは価値を生むか
#
# **目的:** ホールドアウトの行で、モデルをモデルの要件とベースラインに照らして確かめます。全体とセグメント別の
# 結果、予測の速さ、測定した品質での価値を見ます。機械学習エンジニアが説明し、データサイエンティストが
# 評価方法を、アーキテクトと DevOpsエンジニアがサービスレベルを、プロダクトマネージャーと業務有識者が
# システムテストと A/Bテストを、IT監督者と機械学習モデルリスク管理者がモデルのリスクの承認を受け持ちます。
#
# **決めること:** モデルを公開するか（A/Bテストか全員か）、その前に何が必要か。
{%- endif %}
{%- endcall %}
