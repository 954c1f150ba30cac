use super::*;
use crate::usage::TokenUsage;

const USAGE: TokenUsage = TokenUsage {
    input_tokens: 1000,
    output_tokens: 300,
    total_tokens: 1300,
    cached_input_tokens: 400,
    cache_creation_input_tokens: 100,
    reasoning_tokens: 120,
};

fn input(model: &'static str) -> CostInput<'static> {
    CostInput {
        usage: &USAGE,
        model,
        backend: "openai",
        route_name: "chat",
    }
}

fn eval(source: &str) -> Result<u64, CelEvalError> {
    CelCost::compile(source).unwrap().evaluate(&input("gpt-4o"))
}

fn compile_err(source: &str) -> String {
    CelCost::compile(source).unwrap_err().to_string()
}

#[test]
fn single_variables() {
    assert_eq!(eval("input_tokens"), Ok(1000));
    assert_eq!(eval("output_tokens"), Ok(300));
    assert_eq!(eval("total_tokens"), Ok(1300));
    assert_eq!(eval("cached_input_tokens"), Ok(400));
    assert_eq!(eval("cache_creation_input_tokens"), Ok(100));
    assert_eq!(eval("reasoning_tokens"), Ok(120));
}

#[test]
fn weighted_sum() {
    assert_eq!(eval("input_tokens * 3 + output_tokens * 15"), Ok(7500));
}

#[test]
fn cached_tokens_discounted() {
    let price =
        "(input_tokens - cached_input_tokens) * 4 + cached_input_tokens + output_tokens * 16";
    assert_eq!(eval(price), Ok(600 * 4 + 400 + 300 * 16));
}

#[test]
fn cache_writes_and_reasoning() {
    assert_eq!(
        eval("cache_creation_input_tokens * 5 / 4 + reasoning_tokens * 2"),
        Ok(125 + 240)
    );
}

#[test]
fn ternary_on_model() {
    let source = "model == 'gpt-4o' ? total_tokens * 2 : total_tokens";
    let cost = CelCost::compile(source).unwrap();
    assert_eq!(cost.evaluate(&input("gpt-4o")), Ok(2600));
    assert_eq!(cost.evaluate(&input("gpt-4o-mini")), Ok(1300));
}

#[test]
fn string_functions_on_model_backend_and_route() {
    assert_eq!(eval("model.startsWith('gpt-4') ? 1 : 0"), Ok(1));
    assert_eq!(
        eval("backend == 'openai' && route_name == 'chat' ? 7 : 0"),
        Ok(7)
    );
    assert_eq!(eval("model.contains('mini') ? 1 : 2"), Ok(2));
    assert_eq!(eval("size(model)"), Ok(6));
}

#[test]
fn uint_results_are_accepted() {
    assert_eq!(eval("uint(output_tokens) * 2u"), Ok(600));
    assert_eq!(eval("18446744073709551615u"), Ok(u64::MAX));
}

#[test]
fn int_conversion_of_a_double() {
    assert_eq!(eval("int(double(input_tokens) * 0.25)"), Ok(250));
}

#[test]
fn max_of_two_counts_with_a_ternary() {
    assert_eq!(
        eval("input_tokens > output_tokens ? input_tokens : output_tokens"),
        Ok(1000)
    );
}

#[test]
fn map_lookup_of_a_price_per_model() {
    let source = "{'gpt-4o': 10, 'gpt-4o-mini': 1}[model] * output_tokens";
    assert_eq!(eval(source), Ok(3000));
    let miss = CelCost::compile(source)
        .unwrap()
        .evaluate(&input("o3"))
        .unwrap_err();
    assert!(matches!(miss, CelEvalError::Execution(_)), "{miss:?}");
}

#[test]
fn multi_line_expression() {
    assert_eq!(eval("input_tokens\n  + output_tokens"), Ok(1300));
}

#[test]
fn zero_usage_is_zero() {
    let empty = TokenUsage::default();
    let input = CostInput {
        usage: &empty,
        model: "",
        backend: "",
        route_name: "",
    };
    let cost = CelCost::compile("input_tokens * 3 + output_tokens").unwrap();
    assert_eq!(cost.evaluate(&input), Ok(0));
}

#[test]
fn negative_result_is_a_runtime_error() {
    assert_eq!(
        eval("output_tokens - input_tokens"),
        Err(CelEvalError::Negative(-700))
    );
    assert_eq!(
        eval("output_tokens - input_tokens")
            .unwrap_err()
            .to_string(),
        "result -700 is negative"
    );
}

#[test]
fn overflow_is_a_runtime_error() {
    let err = eval("input_tokens * 9223372036854775807").unwrap_err();
    assert!(matches!(err, CelEvalError::Execution(_)), "{err:?}");
}

#[test]
fn division_by_zero_is_a_runtime_error() {
    let cost = CelCost::compile("input_tokens / (output_tokens - 300)").unwrap();
    let err = cost.evaluate(&input("gpt-4o")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("evaluation failed: Division by zero"),
        "{err}"
    );
}

#[test]
fn wrong_type_in_one_branch_is_a_runtime_error() {
    let cost = CelCost::compile("model == 'x' ? 'free' : 1").unwrap();
    assert_eq!(cost.evaluate(&input("gpt-4o")), Ok(1));
    assert_eq!(
        cost.evaluate(&input("x")),
        Err(CelEvalError::WrongType("string".into()))
    );
}

#[test]
fn syntax_error_names_the_column() {
    let err = CelCost::compile("input_tokens * * 2").unwrap_err();
    assert_eq!((err.line, err.column), (1, Some(16)), "{err}");
    assert!(
        err.to_string().starts_with("CEL error at column 16: "),
        "{err}"
    );
}

#[test]
fn unclosed_parenthesis_names_the_column() {
    let err = CelCost::compile("(input_tokens + 1").unwrap_err();
    assert_eq!(err.column, Some(18), "{err}");
}

#[test]
fn syntax_error_on_a_later_line_names_line_and_column() {
    let err = CelCost::compile("input_tokens +\n  output_tokens +").unwrap_err();
    assert_eq!((err.line, err.column), (2, Some(18)), "{err}");
    assert!(
        err.to_string()
            .starts_with("CEL error at line 2, column 18: "),
        "{err}"
    );
}

#[test]
fn unknown_variable_names_the_column() {
    assert_eq!(
        compile_err("input_tokens + prompt_tokens"),
        "CEL error at column 16: unknown variable `prompt_tokens`; expected one of model, backend, route_name, input_tokens, cached_input_tokens, cache_creation_input_tokens, output_tokens, total_tokens, reasoning_tokens"
    );
}

#[test]
fn arithmetic_on_a_string_is_rejected_at_load() {
    let err = compile_err("model * 2");
    assert!(err.starts_with("CEL error: "), "{err}");
}

#[test]
fn string_result_is_rejected_at_load() {
    assert_eq!(
        compile_err("model"),
        "CEL error: expression yields a string; it must yield an int or uint"
    );
}

#[test]
fn bool_and_double_results_are_rejected_at_load() {
    assert_eq!(
        compile_err("input_tokens > 3"),
        "CEL error: expression yields a bool; it must yield an int or uint"
    );
    assert_eq!(
        compile_err("double(input_tokens) * 0.5"),
        "CEL error: expression yields a float; it must yield an int or uint"
    );
}

#[test]
fn unknown_function_is_rejected_at_load() {
    let err = compile_err("price(model) * input_tokens");
    assert!(err.contains("price"), "{err}");
}

#[test]
fn mixed_int_and_uint_is_rejected_at_load() {
    let err = compile_err("input_tokens + 1u");
    assert!(err.starts_with("CEL error: "), "{err}");
}

#[test]
fn empty_and_oversized_expressions_are_rejected() {
    assert_eq!(compile_err("  "), "CEL error: expression is empty");
    let long = format!("1{}", " + 1".repeat(MAX_EXPRESSION_BYTES));
    assert_eq!(
        compile_err(&long),
        "CEL error: expression is longer than 4096 bytes"
    );
}

#[test]
fn huge_counts_saturate_instead_of_wrapping() {
    let big = TokenUsage {
        input_tokens: u64::MAX,
        ..TokenUsage::default()
    };
    let input = CostInput {
        usage: &big,
        model: "",
        backend: "",
        route_name: "",
    };
    let cost = CelCost::compile("input_tokens").unwrap();
    assert_eq!(cost.evaluate(&input), Ok(i64::MAX as u64));
}

#[test]
fn debug_shows_the_source_only() {
    let cost = CelCost::compile("input_tokens").unwrap();
    assert_eq!(format!("{cost:?}"), "CelCost(\"input_tokens\")");
    assert_eq!(cost.source(), "input_tokens");
}
