Feature: bad input: a step nobody defined
  @T-ACT-1
  Scenario: undefined step
    Given alice is dancing
