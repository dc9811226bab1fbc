{% from "review_notebook.j2" import stage_notebook with context -%}
{% call stage_notebook("prepare") -%}
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
{%- endif %}
{%- endcall %}
