"""An ML project run stage by stage: Business Understanding, Analyze, Prepare, Preprocess, Train, Test."""
