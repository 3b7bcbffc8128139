Feature: bad input
  Scenario: bad
    Given the users alice and bob
    And alice has a desk phone on the PBX
    Then alice's CloudLink presence is Im Urlaub
