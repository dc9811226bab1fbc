{% from "review_notebook.j2" import stage_notebook with context -%}
{% call stage_notebook("analyze") -%}
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
{%- else %}
# # データ分析のレビュー: データから分かったこと
#
# **目的:** データをよく知る人たちと診断を読み合わせます。データアナリストが指摘と図を説明し、
# 業務有識者が外れ値と欠損値のどれが誤りでどれが本当の値かを答え、データアーキテクトとデータエンジニアが
# データの所在、アクセスの許可者、個人データの保護のしかたを確かめます。
#
# **決めること:** どの指摘が学習を止めるか、どれをデータ準備でどう直すか、個人情報に見える列を使ってよいか。
{%- endif %}
{%- endcall %}
