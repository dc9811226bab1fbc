{% from "review_notebook.j2" import stage_notebook with context -%}
{% call stage_notebook("preprocess") -%}
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
{%- else %}
# # 前処理のレビュー: データを特徴量にする方法
#
# **目的:** 各列がどのようにモデルの入力になるかを確かめます。データエンジニアが列の種類ごとの扱いを
# 説明し、データアナリストが現在の同じデータの前処理と比べて、モデルが同じ形でデータを受け取れるかを確かめます。
#
# **決めること:** それぞれの扱いが正しいか（特に、順序のあるカテゴリーとして `params.yaml` の
# `preprocess.ordinal_columns` に入れる列はどれか）。特徴量が学習に進める状態か。
{%- endif %}
{%- endcall %}
