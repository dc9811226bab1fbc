{% from "review_notebook.j2" import stage_notebook with context -%}
{% call stage_notebook("train") -%}
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
{%- else %}
# # 学習のレビュー: 候補のモデルと選んだモデル
#
# **目的:** 主要な評価指標で候補どうし、またベースラインと比べ、選んだモデルが何に頼っているかを見ます。
# データサイエンティストが説明し、プロダクトマネージャー、ビジネスアナリスト、データアナリスト、
# 業務有識者が、評価指標の変化がビジネスにとって何を意味するか、頼っている特徴量が妥当かを答えます。
#
# **決めること:** 選んだモデルをテストに進めるか。進めないなら次に何を試すか（データを増やす、特徴量を変える、
# 別の候補）と、誰が行うか。
{%- endif %}
{%- endcall %}
