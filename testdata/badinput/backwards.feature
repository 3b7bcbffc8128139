Feature: bad input: time moving backwards
  @T-ACT-2
  Scenario: time moving backwards
    Given it is 10:00
    When it is 09:00
